package io.sparkgpu.train;

import io.sparkgpu.arrow.ArrowBatchView;
import io.sparkgpu.arrow.HostBatch;

/**
 * One batch of rows as {@link ResidentPartition} reads them while gathering its chunks, whether decoded
 * ({@link HostBatch}) or still encoded ({@link ArrowBatchView}). Both forms give the same values, so a partition is
 * the same whichever it was built from. Writers of a scaled row multiply value by scale in float, as the resident
 * data always has been; a null {@code scale} means every scale is 1 and nothing is multiplied.
 */
abstract class RowSource {
  abstract int rows();

  abstract int cols();

  abstract boolean isSparse();

  /** Stored feature values: rows x cols when dense, the CSR entries (zeros included) when sparse. */
  abstract long storedValues();

  abstract double label(int r);

  abstract double weight(int r);

  /** Stored values of row {@code r}: its CSR entries (zeros included), or cols when dense. */
  abstract int storedInRow(int r);

  /** Values of row {@code r} that are not zero (what a resident CSR row keeps). */
  abstract int nonZerosInRow(int r);

  /** Writes row {@code r}, scaled, to {@code dst[base ... base + cols)}, which holds zeros. */
  abstract void denseRow(int r, float[] dst, int base, float[] scale);

  /** Writes row {@code r}'s non-zero values, scaled, with their columns from position {@code p} on. */
  abstract void csrRow(int r, int[] cols, float[] vals, int p, float[] scale);

  static RowSource of(HostBatch b) {
    return new Decoded(b);
  }

  static RowSource of(ArrowBatchView b) {
    return b.isSparse() ? new EncodedSparse(b) : new EncodedDense(b);
  }

  static void scaleInPlace(float[] dst, int base, float[] scale) {
    if (scale != null) {
      for (int j = 0; j < scale.length; j++) {
        dst[base + j] *= scale[j];
      }
    }
  }

  /** A decoded batch, dense or CSR. */
  private static final class Decoded extends RowSource {
    private final HostBatch b;

    Decoded(HostBatch b) {
      this.b = b;
    }

    @Override
    int rows() {
      return b.rows;
    }

    @Override
    int cols() {
      return b.cols;
    }

    @Override
    boolean isSparse() {
      return b.isSparse();
    }

    @Override
    long storedValues() {
      return b.isSparse() ? b.rowPtr[b.rows] : (long) b.rows * b.cols;
    }

    @Override
    double label(int r) {
      return b.labels[r];
    }

    @Override
    double weight(int r) {
      return b.weights[r];
    }

    @Override
    int storedInRow(int r) {
      return b.isSparse() ? b.rowPtr[r + 1] - b.rowPtr[r] : b.cols;
    }

    @Override
    int nonZerosInRow(int r) {
      int c = 0;
      if (b.isSparse()) {
        for (int q = b.rowPtr[r]; q < b.rowPtr[r + 1]; q++) {
          if (b.values[q] != 0f) {
            c++;
          }
        }
      } else {
        for (int j = 0, base = r * b.cols; j < b.cols; j++) {
          if (b.dense[base + j] != 0f) {
            c++;
          }
        }
      }
      return c;
    }

    @Override
    void denseRow(int r, float[] dst, int base, float[] scale) {
      if (b.isSparse()) {
        for (int q = b.rowPtr[r]; q < b.rowPtr[r + 1]; q++) {
          int j = b.colIndices[q];
          dst[base + j] = scale == null ? b.values[q] : b.values[q] * scale[j];
        }
      } else {
        System.arraycopy(b.dense, r * b.cols, dst, base, b.cols);
        scaleInPlace(dst, base, scale);
      }
    }

    @Override
    void csrRow(int r, int[] cols, float[] vals, int p, float[] scale) {
      if (b.isSparse()) {
        for (int q = b.rowPtr[r]; q < b.rowPtr[r + 1]; q++) {
          float v = b.values[q];
          if (v != 0f) {
            int j = b.colIndices[q];
            cols[p] = j;
            vals[p] = scale == null ? v : v * scale[j];
            p++;
          }
        }
      } else {
        for (int j = 0, base = r * b.cols; j < b.cols; j++) {
          float v = b.dense[base + j];
          if (v != 0f) {
            cols[p] = j;
            vals[p] = scale == null ? v : v * scale[j];
            p++;
          }
        }
      }
    }
  }

  /** A batch still in its IPC bytes: rows, labels and weights read through its {@link ArrowBatchView}. */
  private abstract static class Encoded extends RowSource {
    final ArrowBatchView b;

    Encoded(ArrowBatchView b) {
      this.b = b;
    }

    @Override
    int rows() {
      return b.rows;
    }

    @Override
    int cols() {
      return b.cols;
    }

    @Override
    long storedValues() {
      return b.storedValues();
    }

    @Override
    double label(int r) {
      return b.label(r);
    }

    @Override
    double weight(int r) {
      return b.weight(r);
    }
  }

  /** An encoded dense batch: rows are bulk-copied out of the IPC bytes. */
  private static final class EncodedDense extends Encoded {
    EncodedDense(ArrowBatchView b) {
      super(b);
    }

    @Override
    boolean isSparse() {
      return false;
    }

    @Override
    int storedInRow(int r) {
      return b.cols;
    }

    @Override
    int nonZerosInRow(int r) {
      int c = 0;
      for (int j = 0; j < b.cols; j++) {
        if (b.value(r, j) != 0f) {
          c++;
        }
      }
      return c;
    }

    @Override
    void denseRow(int r, float[] dst, int base, float[] scale) {
      b.copyRow(r, dst, base);
      scaleInPlace(dst, base, scale);
    }

    @Override
    void csrRow(int r, int[] cols, float[] vals, int p, float[] scale) {
      for (int j = 0; j < b.cols; j++) {
        float v = b.value(r, j);
        if (v != 0f) {
          cols[p] = j;
          vals[p] = scale == null ? v : v * scale[j];
          p++;
        }
      }
    }
  }

  /** An encoded CSR batch: entries are read one by one out of the IPC bytes. */
  private static final class EncodedSparse extends Encoded {
    EncodedSparse(ArrowBatchView b) {
      super(b);
    }

    @Override
    boolean isSparse() {
      return true;
    }

    @Override
    int storedInRow(int r) {
      return b.rowStart(r + 1) - b.rowStart(r);
    }

    @Override
    int nonZerosInRow(int r) {
      int c = 0;
      for (int q = b.rowStart(r), end = b.rowStart(r + 1); q < end; q++) {
        if (b.entry(q) != 0f) {
          c++;
        }
      }
      return c;
    }

    @Override
    void denseRow(int r, float[] dst, int base, float[] scale) {
      for (int q = b.rowStart(r), end = b.rowStart(r + 1); q < end; q++) {
        int j = b.index(q);
        float v = b.entry(q);
        dst[base + j] = scale == null ? v : v * scale[j];
      }
    }

    @Override
    void csrRow(int r, int[] cols, float[] vals, int p, float[] scale) {
      for (int q = b.rowStart(r), end = b.rowStart(r + 1); q < end; q++) {
        float v = b.entry(q);
        if (v != 0f) {
          int j = b.index(q);
          cols[p] = j;
          vals[p] = scale == null ? v : v * scale[j];
          p++;
        }
      }
    }
  }
}
