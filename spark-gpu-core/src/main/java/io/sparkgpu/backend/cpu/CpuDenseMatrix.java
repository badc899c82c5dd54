package io.sparkgpu.backend.cpu;

import io.sparkgpu.backend.DenseMatrix;

/** A row-major float matrix over a Java array, possibly a view into a larger one. Heap memory: close is a no-op. */
final class CpuDenseMatrix implements DenseMatrix {
  final float[] data;
  final int offset;
  private final int rows;
  private final int cols;

  CpuDenseMatrix(float[] data, int offset, int rows, int cols) {
    if (rows < 0 || cols < 0 || offset < 0 || (long) offset + (long) rows * cols > data.length) {
      throw new IllegalArgumentException("Matrix " + rows + " x " + cols + " at offset " + offset
          + " does not fit an array of " + data.length + " floats");
    }
    this.data = data;
    this.offset = offset;
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
  public DenseMatrix view(long viewOffset, int viewRows, int viewCols) {
    if (viewOffset < 0 || viewOffset + (long) viewRows * viewCols > size()) {
      throw new IllegalArgumentException("View " + viewRows + " x " + viewCols + " at " + viewOffset
          + " exceeds a " + rows + " x " + cols + " matrix");
    }
    return new CpuDenseMatrix(data, offset + (int) viewOffset, viewRows, viewCols);
  }

  @Override
  public void close() {
    // Heap memory: the garbage collector reclaims it once no matrix refers to the array.
  }
}
