package io.sparkgpu.backend.cuda;

/**
 * The one place where a row-major GEMM becomes a column-major (cuBLAS) call. A row-major r x c matrix read
 * column-major is its c x r transpose, so the row-major product C = op(A)·op(B) is the column-major product
 * Cᵀ = op(B)ᵀ·op(A)ᵀ: cuBLAS multiplies B (its "A" argument, called first here) by A (its "B" argument, called
 * second), with the same transpose flags, m = columns of C, n = rows of C, and each leading dimension equal to the
 * row-major column count. A plain value; tested against a column-major reference without a GPU.
 *
 * @param transFirst cuBLAS transa, applied to the first operand, which is B
 * @param transSecond cuBLAS transb, applied to the second operand, which is A
 * @param m cuBLAS m: rows of column-major Cᵀ = columns of row-major C
 * @param n cuBLAS n: columns of column-major Cᵀ = rows of row-major C
 * @param k the inner dimension
 * @param ldFirst lda of cuBLAS = columns of row-major B
 * @param ldSecond ldb of cuBLAS = columns of row-major A
 * @param ldc ldc of cuBLAS = columns of row-major C
 */
record ColumnMajorGemm(boolean transFirst, boolean transSecond, int m, int n, int k, int ldFirst, int ldSecond,
    int ldc) {

  /** For C (rows x cols) := alpha·op(A)·op(B) + beta·C with row-major A (aRows x aCols) and B (bRows x bCols). */
  static ColumnMajorGemm forRowMajor(boolean transA, boolean transB, int aRows, int aCols, int bRows, int bCols) {
    int rows = transA ? aCols : aRows;
    int k = transA ? aRows : aCols;
    int cols = transB ? bRows : bCols;
    // cuBLAS requires leading dimensions of at least 1 even for empty matrices.
    return new ColumnMajorGemm(transB, transA, cols, rows, k, Math.max(1, bCols), Math.max(1, aCols),
        Math.max(1, cols));
  }
}
