package io.sparkgpu.backend.cuda;

import io.sparkgpu.backend.CsrMatrix;
import jcuda.driver.CUdeviceptr;

/**
 * A CSR matrix in device memory: row pointers (absolute indices into the column and value arrays), column indices
 * and values, plus a host copy of the row pointers for {@link #nonZeros}. A row-range view starts at
 * {@code firstRow} of its parent's arrays. An uploaded matrix owns its three buffers and frees them on close; a view
 * owns nothing.
 */
final class CudaCsrMatrix implements CsrMatrix {
  final DeviceBuffer rowPtr;
  final DeviceBuffer colIndices;
  final DeviceBuffer values;
  private final int[] hostRowPtr;
  private final int firstRow;
  private final int rows;
  private final int cols;
  private final boolean owner;

  CudaCsrMatrix(DeviceBuffer rowPtr, DeviceBuffer colIndices, DeviceBuffer values, int[] hostRowPtr, int firstRow,
      int rows, int cols, boolean owner) {
    this.rowPtr = rowPtr;
    this.colIndices = colIndices;
    this.values = values;
    this.hostRowPtr = hostRowPtr;
    this.firstRow = firstRow;
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

  @Override
  public long nonZeros() {
    return (long) hostRowPtr[firstRow + rows] - hostRowPtr[firstRow];
  }

  /** The device address of this view's first row pointer (rows + 1 of them follow). */
  CUdeviceptr rowPtrPointer() {
    return rowPtr.at((long) firstRow * Integer.BYTES);
  }

  @Override
  public CsrMatrix rowRange(int start, int count) {
    if (start < 0 || count < 0 || start + count > rows) {
      throw new IllegalArgumentException("Rows [" + start + ", " + (start + count) + ") exceed " + rows + " rows");
    }
    return new CudaCsrMatrix(rowPtr, colIndices, values, hostRowPtr, firstRow + start, count, cols, false);
  }

  @Override
  public void close() {
    if (!owner) {
      return;
    }
    RuntimeException first = null;
    for (DeviceBuffer b : new DeviceBuffer[] {rowPtr, colIndices, values}) {
      try {
        b.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
