package io.sparkgpu.backend.cpu;

import io.sparkgpu.backend.CsrMatrix;

/**
 * A CSR matrix over Java arrays. A row-range view keeps the parent's arrays and starts at {@code firstRow};
 * row pointers are absolute indices into {@code colIndices}/{@code values}.
 */
final class CpuCsrMatrix implements CsrMatrix {
  final int[] rowPtr;
  final int[] colIndices;
  final float[] values;
  final int firstRow;
  private final int rows;
  private final int cols;

  CpuCsrMatrix(int[] rowPtr, int[] colIndices, float[] values, int firstRow, int rows, int cols) {
    this.rowPtr = rowPtr;
    this.colIndices = colIndices;
    this.values = values;
    this.firstRow = firstRow;
    this.rows = rows;
    this.cols = cols;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public long nonZeros() {
    return (long) rowPtr[firstRow + rows] - rowPtr[firstRow];
  }

  @Override
  public CsrMatrix rowRange(int start, int count) {
    if (start < 0 || count < 0 || start + count > rows) {
      throw new IllegalArgumentException("Rows [" + start + ", " + (start + count) + ") exceed " + rows + " rows");
    }
    return new CpuCsrMatrix(rowPtr, colIndices, values, firstRow + start, count, cols);
  }

  @Override
  public void close() {
    // Heap memory.
  }
}
