package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row-major to column-major conversion, checked by running its arguments through a plain Java implementation of
 * cuBLAS's column-major sgemm and comparing with the row-major product, at offsets inside larger arrays (views).
 */
class ColumnMajorGemmTest {

  /** cuBLAS semantics: C(m x n) := alpha·op(A)·op(B) + beta·C, every matrix column-major with its leading dimension. */
  private static void columnMajorSgemm(boolean transa, boolean transb, int m, int n, int k, float alpha, float[] a,
      int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < m; i++) {
        double sum = 0;
        for (int l = 0; l < k; l++) {
          double av = transa ? a[aOff + l + i * lda] : a[aOff + i + l * lda];
          double bv = transb ? b[bOff + j + l * ldb] : b[bOff + l + j * ldb];
          sum += av * bv;
        }
        int ci = cOff + i + j * ldc;
        c[ci] = (float) (alpha * sum + (beta == 0f ? 0.0 : beta * c[ci]));
      }
    }
  }

  @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4}")
  @CsvSource({
      "false,false,1,1,1", "false,false,3,5,7", "true,false,3,5,7", "false,true,3,5,7", "true,true,3,5,7",
      "false,false,1,33,7", "true,true,33,1,7", "true,false,9,1,65", "false,true,1,1,17", "true,false,16,32,8"})
  void theConversionComputesTheRowMajorProduct(boolean transA, boolean transB, int m, int n, int k) {
    Random r = new Random(m * 1000L + n * 100L + k + (transA ? 7 : 0) + (transB ? 13 : 0));
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    int aOff = 5;
    int bOff = 11;
    int cOff = 3;
    float[] a = random(r, aOff + aRows * aCols + 4);
    float[] b = random(r, bOff + bRows * bCols + 4);
    float[] c = random(r, cOff + m * n + 4);
    float[] c0 = c.clone();
    float alpha = 1.5f;
    float beta = -0.5f;

    ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(transA, transB, aRows, aCols, bRows, bCols);
    assertEquals(n, g.m(), "cuBLAS m is the row-major C's column count");
    assertEquals(m, g.n(), "cuBLAS n is the row-major C's row count");
    assertEquals(k, g.k());
    // first operand B, second A, exactly as CudaBackend.gemm passes them
    columnMajorSgemm(g.transFirst(), g.transSecond(), g.m(), g.n(), g.k(), alpha, b, bOff, g.ldFirst(), a, aOff,
        g.ldSecond(), beta, c, cOff, g.ldc());

    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int l = 0; l < k; l++) {
          double av = transA ? a[aOff + l * aCols + i] : a[aOff + i * aCols + l];
          double bv = transB ? b[bOff + j * bCols + l] : b[bOff + l * bCols + j];
          sum += av * bv;
        }
        double expected = alpha * sum + beta * c0[cOff + i * n + j];
        assertEquals(expected, c[cOff + i * n + j], 1e-4, "C[" + i + "," + j + "]");
      }
    }
    for (int i = 0; i < cOff; i++) {
      assertEquals(c0[i], c[i], "element before C changed");
    }
    for (int i = cOff + m * n; i < c.length; i++) {
      assertEquals(c0[i], c[i], "element after C changed");
    }
  }

  @ParameterizedTest
  @CsvSource({"0,4", "3,0"})
  void leadingDimensionsAreAtLeastOne(int rows, int cols) {
    ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(false, false, rows, cols, cols, 0);
    assertEquals(1, g.ldc());
    assertEquals(1, g.ldFirst());
    assertEquals(Math.max(1, cols), g.ldSecond());
  }

  private static float[] random(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (2 * r.nextDouble() - 1);
    }
    return x;
  }
}
