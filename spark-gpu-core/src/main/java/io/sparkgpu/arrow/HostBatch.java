package io.sparkgpu.arrow;

/**
 * One batch of training rows in Java arrays: features dense (row-major, {@code rows x cols}) or CSR, labels and
 * weights in double precision. Heap memory only, so nothing to close.
 */
public final class HostBatch {
  public final int rows;
  public final int cols;
  /** Row-major dense features, or null for a sparse batch. */
  public final float[] dense;
  /** CSR row pointers ({@code rows + 1}), or null for a dense batch. */
  public final int[] rowPtr;
  public final int[] colIndices;
  public final float[] values;
  public final double[] labels;
  public final double[] weights;

  private HostBatch(int rows, int cols, float[] dense, int[] rowPtr, int[] colIndices, float[] values,
      double[] labels, double[] weights) {
    if (labels.length != rows || weights.length != rows) {
      throw new IllegalArgumentException(rows + " rows but " + labels.length + " labels and " + weights.length
          + " weights");
    }
    this.rows = rows;
    this.cols = cols;
    this.dense = dense;
    this.rowPtr = rowPtr;
    this.colIndices = colIndices;
    this.values = values;
    this.labels = labels;
    this.weights = weights;
  }

  public static HostBatch dense(int rows, int cols, float[] features, double[] labels, double[] weights) {
    if ((long) rows * cols != features.length) {
      throw new IllegalArgumentException(rows + " x " + cols + " features expected, got " + features.length);
    }
    return new HostBatch(rows, cols, features, null, null, null, labels, weights);
  }

  public static HostBatch sparse(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values,
      double[] labels, double[] weights) {
    if (rowPtr.length != rows + 1 || colIndices.length < rowPtr[rows] || values.length < rowPtr[rows]) {
      throw new IllegalArgumentException("Inconsistent CSR arrays for " + rows + " rows");
    }
    return new HostBatch(rows, cols, null, rowPtr, colIndices, values, labels, weights);
  }

  public boolean isSparse() {
    return dense == null;
  }

  public long nonZeros() {
    if (isSparse()) {
      return rowPtr[rows];
    }
    long nnz = 0;
    for (float v : dense) {
      if (v != 0f) {
        nnz++;
      }
    }
    return nnz;
  }
}
