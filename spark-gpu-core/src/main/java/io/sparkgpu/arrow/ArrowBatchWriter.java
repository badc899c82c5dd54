package io.sparkgpu.arrow;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Turns the rows of one partition into encoded Arrow batches, checking every value and gathering
 * {@link PartitionStatistics} in the same pass. Rows accumulate in Java arrays until the batch is full; the caller
 * then takes it with {@link #flush}. A batch's layout is that of its first row: dense rows join a sparse batch as
 * their non-zeros, sparse rows join a dense batch as dense rows. Encoding allocates from the allocator it was given;
 * the writer does not own it.
 */
public final class ArrowBatchWriter {
  private final BufferAllocator allocator;
  private final BatchingOptions options;
  private final PartitionStatistics stats;

  private long rowIndex; // row number within the partition, for messages
  private int numFeatures = -1;
  private int rows;
  private Boolean sparse; // layout of the current batch, null while empty
  private float[] dense = new float[0];
  private int[] rowPtr = new int[1];
  private int[] colIndices = new int[0];
  private float[] values = new float[0];
  private double[] labels = new double[0];
  private double[] weights = new double[0];
  private int denseRowLimit;

  public ArrowBatchWriter(BufferAllocator allocator, BatchingOptions options, int partition) {
    this.allocator = allocator;
    this.options = options;
    this.stats = new PartitionStatistics(partition);
  }

  public PartitionStatistics statistics() {
    return stats;
  }

  /** Appends a row with dense features (a copy is taken). */
  public void appendDense(double[] features, double label, double weight) {
    appendDense(features, features.length, label, weight);
  }

  /**
   * Appends a row whose dense features are {@code features[0, size)} (a copy is taken), so that callers can reuse
   * one buffer for every row.
   */
  public void appendDense(double[] features, int size, double label, double weight) {
    checkWidth(size);
    checkRow(label, weight);
    if (sparse == null) {
      sparse = false;
    }
    if (!sparse) {
      ensureDenseCapacity(rows + 1);
      int base = rows * numFeatures;
      // One fused pass (convert, check, gather statistics); a bad value is reported by checkFeature.
      if (!stats.addDenseRow(features, size, weight, dense, base)) {
        for (int j = 0; j < size; j++) {
          checkFeature(j, features[j]);
        }
      }
      finishRow(0, label, weight, false);
      return;
    }
    {
      int start = rowPtr[rows];
      ensureSparseCapacity(start + size);
      int p = start;
      for (int j = 0; j < size; j++) {
        double v = checkFeature(j, features[j]);
        if (v != 0.0) {
          colIndices[p] = j;
          values[p] = (float) v;
          p++;
          stats.addFeature(j, v, weight);
        }
      }
      finishRow(p, label, weight, false);
    }
  }

  /** Appends a row with sparse features: {@code size} is the vector's size, indices ascending. */
  public void appendSparse(int size, int[] indices, double[] vals, int nnz, double label, double weight) {
    checkWidth(size);
    checkRow(label, weight);
    if (sparse == null) {
      sparse = true;
    }
    if (sparse) {
      int start = rowPtr[rows];
      ensureSparseCapacity(start + nnz);
      for (int q = 0; q < nnz; q++) {
        int j = checkIndex(indices[q], size);
        double v = checkFeature(j, vals[q]);
        colIndices[start + q] = j;
        values[start + q] = (float) v;
        if (v != 0.0) {
          stats.addFeature(j, v, weight);
        }
      }
      finishRow(start + nnz, label, weight, true);
    } else {
      ensureDenseCapacity(rows + 1);
      int base = rows * numFeatures;
      Arrays.fill(dense, base, base + numFeatures, 0f);
      for (int q = 0; q < nnz; q++) {
        int j = checkIndex(indices[q], size);
        double v = checkFeature(j, vals[q]);
        dense[base + j] = (float) v;
        if (v != 0.0) {
          stats.addFeature(j, v, weight);
        }
      }
      finishRow(0, label, weight, true);
    }
  }

  private void checkWidth(int size) {
    if (numFeatures < 0) {
      if (size < 1) {
        throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': row " + rowIndex
            + " of partition " + stats.partition() + " has an empty features vector; every row needs at least 1 feature");
      }
      numFeatures = size;
      stats.setNumFeatures(size);
      denseRowLimit = BatchingOptions.denseRowsPerBatch(options.maxBatchBytes(), size);
    } else if (size != numFeatures) {
      throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': row " + rowIndex
          + " of partition " + stats.partition() + " has " + size + " features but earlier rows have "
          + numFeatures + "; every features vector must have the same size (check how the column is assembled)");
    }
  }

  private void checkRow(double label, double weight) {
    if (!Double.isFinite(label)) {
      throw new IllegalArgumentException("Column '" + options.labelColumn() + "': row " + rowIndex + " of partition "
          + stats.partition() + " has label " + label + "; labels must be finite numbers (filter or impute them)");
    }
    if (options.labelKind() == LabelKind.CLASS_INDEX
        && (label < 0 || label != Math.rint(label) || label >= (1 << 24))) {
      throw new IllegalArgumentException("Column '" + options.labelColumn() + "': row " + rowIndex + " of partition "
          + stats.partition() + " has label " + label + "; class labels must be whole numbers in [0, 16777216)"
          + " (index string labels with StringIndexer)");
    }
    if (!Double.isFinite(weight) || weight < 0) {
      throw new IllegalArgumentException("Column '" + options.weightColumn() + "': row " + rowIndex
          + " of partition " + stats.partition() + " has weight " + weight
          + "; weights must be finite and non-negative (fix the column or unset weightCol)");
    }
  }

  private double checkFeature(int j, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': row " + rowIndex
          + " of partition " + stats.partition() + " has " + v + " at feature " + j
          + "; features must be finite (impute or filter them before fitting)");
    }
    if (Math.abs(v) > Float.MAX_VALUE) {
      throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': row " + rowIndex
          + " of partition " + stats.partition() + " has " + v + " at feature " + j
          + ", beyond float32's range used for training; rescale the feature");
    }
    return v;
  }

  private int checkIndex(int j, int size) {
    if (j < 0 || j >= size) {
      throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': row " + rowIndex
          + " of partition " + stats.partition() + " has index " + j + " outside a vector of size " + size);
    }
    return j;
  }

  private void finishRow(int end, double label, double weight, boolean rowWasSparse) {
    ensureRowCapacity(rows + 1);
    labels[rows] = label;
    weights[rows] = weight;
    rows++;
    rowPtr[rows] = end;
    stats.addRow(label, weight, rowWasSparse, options.labelKind());
    rowIndex++;
  }

  private void ensureRowCapacity(int n) {
    if (labels.length < n) {
      int cap = Math.max(n, Math.max(16, labels.length * 2));
      labels = Arrays.copyOf(labels, cap);
      weights = Arrays.copyOf(weights, cap);
      rowPtr = Arrays.copyOf(rowPtr, cap + 1);
    }
  }

  private void ensureDenseCapacity(int rowCount) {
    long need = (long) rowCount * numFeatures;
    if (dense.length < need) {
      long cap = Math.max(need, Math.min((long) denseRowLimit * numFeatures, Math.max(1024L, 2L * dense.length)));
      dense = Arrays.copyOf(dense, (int) cap);
    }
  }

  private void ensureSparseCapacity(long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("A sparse batch would exceed 2^31 non-zeros");
    }
    if (colIndices.length < n) {
      int cap = (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(n, Math.max(1024L, 2L * colIndices.length)));
      colIndices = Arrays.copyOf(colIndices, cap);
      values = Arrays.copyOf(values, cap);
    }
  }

  /** Bytes the current batch holds (features, labels, weights). */
  public long bufferedBytes() {
    if (sparse == null) {
      return 0;
    }
    long featureBytes = sparse ? 8L * rowPtr[rows] + 4L * rows : 4L * rows * numFeatures;
    return featureBytes + 16L * rows;
  }

  /** True once the current batch should be flushed before another row is added. */
  public boolean isFull() {
    if (sparse == null) {
      return false;
    }
    if (!sparse) {
      return rows >= denseRowLimit;
    }
    // Leave room for one more row of up to numFeatures non-zeros.
    return bufferedBytes() + 8L * numFeatures + 20L > options.maxBatchBytes() || rowPtr[rows] > Integer.MAX_VALUE / 2;
  }

  public int bufferedRows() {
    return rows;
  }

  /** The current batch as encoded Arrow bytes, or null if it holds no row; the writer starts a new batch. */
  public byte[] flush() {
    if (rows == 0) {
      return null;
    }
    HostBatch batch = sparse
        ? HostBatch.sparse(rows, numFeatures, Arrays.copyOf(rowPtr, rows + 1), colIndices, values,
            Arrays.copyOf(labels, rows), Arrays.copyOf(weights, rows))
        : HostBatch.dense(rows, numFeatures, dense.length == rows * numFeatures ? dense
            : Arrays.copyOf(dense, rows * numFeatures), Arrays.copyOf(labels, rows), Arrays.copyOf(weights, rows));
    byte[] bytes = ArrowBatchCodec.encode(batch, allocator);
    stats.addBatch();
    rows = 0;
    sparse = null;
    rowPtr[0] = 0;
    return bytes;
  }
}
