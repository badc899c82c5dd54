package io.sparkgpu.backend.cuda;

import io.sparkgpu.backend.DenseMatrix;
import jcuda.driver.CUdeviceptr;

/**
 * A row-major float32 matrix in device memory: {@code rows * cols} elements from element {@code offset} of a
 * {@link DeviceBuffer}. A matrix from allocate/upload owns its buffer and frees it on close; a view shares its
 * parent's buffer, owns nothing, and closing it does nothing.
 */
final class CudaDenseMatrix implements DenseMatrix {
  final DeviceBuffer buffer;
  final long offset;
  private final int rows;
  private final int cols;
  private final boolean owner;

  CudaDenseMatrix(DeviceBuffer buffer, long offset, int rows, int cols, boolean owner) {
    long capacity = buffer.bytes() / Float.BYTES;
    if (rows < 0 || cols < 0 || offset < 0 || offset + (long) rows * cols > capacity) {
      throw new IllegalArgumentException("Matrix " + rows + " x " + cols + " at offset " + offset
          + " does not fit a buffer of " + capacity + " floats");
    }
    this.buffer = buffer;
    this.offset = offset;
    this.rows = rows;
    this.cols = cols;
    this.owner = owner;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  /** The device address of element 0. */
  CUdeviceptr pointer() {
    return pointer(0);
  }

  /** The device address of element {@code element} (counted from this matrix's first element). */
  CUdeviceptr pointer(long element) {
    return buffer.at((offset + element) * Float.BYTES);
  }

  @Override
  public DenseMatrix view(long viewOffset, int viewRows, int viewCols) {
    if (viewOffset < 0 || viewRows < 0 || viewCols < 0 || viewOffset + (long) viewRows * viewCols > size()) {
      throw new IllegalArgumentException("View " + viewRows + " x " + viewCols + " at " + viewOffset
          + " exceeds a " + rows + " x " + cols + " matrix");
    }
    return new CudaDenseMatrix(buffer, offset + viewOffset, viewRows, viewCols, false);
  }

  @Override
  public void close() {
    if (owner) {
      buffer.close();
    }
  }

  @Override
  public String toString() {
    return "CudaDenseMatrix[" + rows + " x " + cols + " at " + offset + (owner ? "" : ", view") + "]";
  }
}
