package io.sparkgpu.arrow;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Turns the rows of one partition into encoded Arrow batches, checking every value and gathering
 * {@link PartitionStatistics} in the same pass. Dense rows are written as float32 straight into the byte array of
 * the batch's Arrow IPC stream, allocated and laid out for a full batch ({@link BatchingOptions#denseRowsOfBatch}:
 * 4 MiB first, doubling up to {@code maxBatchBytes}), which {@link #flush} completes and hands over without a copy.
 * A shorter last batch is copied once into a stream of its length; the array allocated for it, which at the full
 * budget may be far larger, is dropped. Sparse rows accumulate in Java arrays that {@link #flush} encodes. The caller
 * must take each batch with {@link #flush} once {@link #isFull}. A batch's layout is that of its first row: dense
 * rows join a sparse batch as their non-zeros, sparse rows join a dense batch as dense rows (rows too wide for a
 * dense Arrow buffer always go sparse). A row with an invalid value is refused or, under {@link InvalidRows#SKIP},
 * dropped and counted; a row is converted and checked in one pass just past the batch's end and counted (in the
 * batch, then in the statistics) only once found valid, so a dropped row leaves no trace in the batch or the
 * statistics.
 * Encoding allocates from the allocator it was given; the writer does not own it.
 */
public final class ArrowBatchWriter {
  private static final RowKernels KERNELS = RowKernels.get();
  private final BufferAllocator allocator;
  private final BatchingOptions options;
  private final PartitionStatistics stats;

  private long rowIndex; // row number within the partition, for messages
  private int numFeatures = -1;
  private int rows;
  private Boolean sparse; // layout of the current batch, null while empty
  /** The dense batch being written: an IPC stream laid out by {@link #denseFrame}; null between batches. */
  private byte[] denseBytes;
  /** The layout of the last dense batch started, when full (reused while the next one has as many rows). */
  private ArrowBatchCodec.Frame denseFrame;
  /** Dense batches flushed so far, which sets the next one's size. */
  private int denseBatches;
  private int[] rowPtr = new int[1];
  private int[] colIndices = new int[0];
  private float[] values = new float[0];
  private double[] labels = new double[0];
  private double[] weights = new double[0];

  public ArrowBatchWriter(BufferAllocator allocator, BatchingOptions options, int partition) {
    this.allocator = allocator;
    this.options = options;
    this.stats = new PartitionStatistics(partition);
  }

  public PartitionStatistics statistics() {
    return stats;
  }

  /**
   * Numbers the next row {@code index} in messages (the row's position in its partition, counting every input row);
   * without this the writer counts the rows it is given.
   */
  public void atRow(long index) {
    rowIndex = index;
  }

  /** The number of the next row in messages. */
  public long currentRow() {
    return rowIndex;
  }

  /**
   * Records that the next row is invalid for {@code reason}: throws IllegalArgumentException with {@code problem}
   * and the settings to change under {@link InvalidRows#ERROR}, counts and drops the row under
   * {@link InvalidRows#SKIP}. For checks made outside the writer (null columns).
   */
  public void rejectRow(InvalidRows.Reason reason, String problem) {
    if (options.invalidRows() == InvalidRows.ERROR) {
      throw new IllegalArgumentException(problem + ", or set handleInvalid to 'skip' to drop such rows");
    }
    stats.addSkipped(reason);
    rowIndex++;
  }

  /** "Column 'c': row r of partition p", the start of every message about a row. */
  private String where(String column) {
    return "Column '" + column + "': row " + rowIndex + " of partition " + stats.partition();
  }

  /** Appends a row with dense features (a copy is taken); false when the row was invalid and skipped. */
  public boolean appendDense(double[] features, double label, double weight) {
    return appendDense(features, features.length, label, weight);
  }

  /**
   * Appends a row whose dense features are {@code features[0, size)} (a copy is taken, so callers may reuse one
   * buffer for every row); false when the row was invalid and skipped.
   */
  public boolean appendDense(double[] features, int size, double label, double weight) {
    checkWidth(size);
    if (!rowIsValid(label, weight)) {
      return false;
    }
    boolean batchSparse = sparse != null ? sparse : !BatchingOptions.denseRowFits(numFeatures);
    // The row is converted and checked in one pass, written just past the batch's end: an invalid row is dropped by
    // not counting it, and the statistics only see rows found valid.
    boolean finite = true;
    int end = 0;
    if (batchSparse) {
      int start = rowPtr[rows];
      ensureSparseCapacity((long) start + size);
      int[] cols = colIndices;
      float[] vals = values;
      int p = start;
      for (int j = 0; j < size; j++) {
        double v = features[j];
        finite &= Math.abs(v) <= Float.MAX_VALUE; // false for NaN too
        if (v != 0.0) {
          cols[p] = j;
          vals[p] = (float) v;
          p++;
        }
      }
      end = p;
    } else {
      ensureDenseCapacity(rows + 1);
      finite = KERNELS.toFloat(features, size, denseBytes, denseRowAt(rows));
    }
    if (!finite && !featuresAreValid(features, null, size)) { // names the first bad value, or throws
      return false;
    }
    stats.addDenseFeatures(features, size, weight);
    finishRow(batchSparse, end, label, weight, false);
    return true;
  }

  /**
   * Appends a row with sparse features: {@code size} is the vector's size, indices ascending; false when the row was
   * invalid and skipped.
   */
  public boolean appendSparse(int size, int[] indices, double[] vals, int nnz, double label, double weight) {
    checkWidth(size);
    boolean inRange = true;
    for (int q = 0; q < nnz; q++) {
      inRange &= Integer.compareUnsigned(indices[q], size) < 0;
    }
    if (!inRange) {
      for (int q = 0; q < nnz; q++) {
        checkIndex(indices[q], size);
      }
    }
    if (!rowIsValid(label, weight)) {
      return false;
    }
    boolean batchSparse = sparse != null ? sparse : true;
    boolean finite = true;
    int end = 0;
    if (batchSparse) {
      int start = rowPtr[rows];
      ensureSparseCapacity((long) start + nnz);
      System.arraycopy(indices, 0, colIndices, start, nnz);
      float[] out = values;
      for (int q = 0; q < nnz; q++) {
        double v = vals[q];
        finite &= Math.abs(v) <= Float.MAX_VALUE;
        out[start + q] = (float) v;
      }
      end = start + nnz;
    } else {
      ensureDenseCapacity(rows + 1);
      byte[] out = denseBytes;
      int at = denseRowAt(rows);
      Arrays.fill(out, at, at + 4 * numFeatures, (byte) 0); // a skipped row may have left values here
      for (int q = 0; q < nnz; q++) {
        double v = vals[q];
        finite &= Math.abs(v) <= Float.MAX_VALUE;
        RowKernels.FLOAT_LE.set(out, at + 4 * indices[q], (float) v);
      }
    }
    if (!finite && !featuresAreValid(vals, indices, nnz)) {
      return false;
    }
    stats.addSparseFeatures(indices, vals, nnz, weight);
    finishRow(batchSparse, end, label, weight, true);
    return true;
  }

  private void checkWidth(int size) {
    if (numFeatures < 0) {
      if (size < 1) {
        throw new IllegalArgumentException(where(options.featuresColumn()) + " has an empty features vector; every "
            + "row needs at least 1 feature (check how the column is assembled)");
      }
      numFeatures = size;
      stats.setNumFeatures(size);
    } else if (size != numFeatures) {
      throw new IllegalArgumentException(where(options.featuresColumn()) + " has " + size + " features but earlier "
          + "rows have " + numFeatures + "; every features vector must have the same size (check how the column is "
          + "assembled)");
    }
  }

  /** Checks label and weight; false when the row is skipped. */
  private boolean rowIsValid(double label, double weight) {
    if (!Double.isFinite(label)) {
      rejectRow(InvalidRows.Reason.NON_FINITE_LABEL, where(options.labelColumn()) + " has label " + label
          + "; labels must be finite numbers (filter or impute them)");
      return false;
    }
    if (options.labelKind() == LabelKind.CLASS_INDEX) {
      int limit = options.classLabelLimit();
      if (label < 0 || label != Math.rint(label) || label >= limit) {
        boolean wholeBeyond = label >= limit && label == Math.rint(label) && label < BatchingOptions.MAX_CLASS_LABEL;
        String expected = options.numClasses() > 0
            ? "the model has " + limit + " classes, so labels must be whole numbers from 0 to " + (limit - 1)
                + " (" + (wholeBeyond ? "set " + options.numClassesSetting() + " to at least " + ((long) label + 1)
                    : "fix the label column") + ")"
            : "class labels must be whole numbers in [0, " + limit + ") (index string labels with StringIndexer)";
        rejectRow(InvalidRows.Reason.BAD_CLASS_LABEL, where(options.labelColumn()) + " has label " + label + "; "
            + expected);
        return false;
      }
    }
    if (!Double.isFinite(weight) || weight < 0) {
      rejectRow(InvalidRows.Reason.BAD_WEIGHT, where(options.weightColumn()) + " has weight " + weight
          + "; weights must be finite and non-negative (fix the column or unset weightCol)");
      return false;
    }
    return true;
  }

  /** Checks the first {@code n} values (at {@code indices}, or positions 0..n-1); false when the row is skipped. */
  private boolean featuresAreValid(double[] vals, int[] indices, int n) {
    for (int q = 0; q < n; q++) {
      double v = vals[q];
      int j = indices != null ? indices[q] : q;
      if (!Double.isFinite(v)) {
        rejectRow(InvalidRows.Reason.NON_FINITE_FEATURE, where(options.featuresColumn()) + " has " + v
            + " at feature " + j + "; features must be finite (impute or filter them before fitting)");
        return false;
      }
      if (Math.abs(v) > Float.MAX_VALUE) {
        throw new IllegalArgumentException(where(options.featuresColumn()) + " has " + v + " at feature " + j
            + ", beyond float32's range used for training; rescale the feature");
      }
    }
    return true;
  }

  private void checkIndex(int j, int size) {
    if (j < 0 || j >= size) {
      throw new IllegalArgumentException(where(options.featuresColumn()) + " has index " + j + " outside a vector "
          + "of size " + size);
    }
  }

  /**
   * Counts the row just written: fixes the batch's layout at its first row (a sparse row, or a dense row too wide
   * for a dense buffer, makes the batch sparse), and {@code end} is the row's end in the CSR arrays.
   */
  private void finishRow(boolean batchSparse, int end, double label, double weight, boolean rowWasSparse) {
    if (batchSparse && rows == 0) {
      denseBytes = null; // started by a dense first row that was skipped: not this batch's
    }
    sparse = batchSparse;
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

  /** The byte offset of dense row {@code row} in {@link #denseBytes}. */
  private int denseRowAt(int row) {
    return denseFrame.denseValuesAt() + 4 * row * numFeatures;
  }

  /** Starts the dense batch's stream at its first row, allocated at its full length. */
  private void ensureDenseCapacity(int rowCount) {
    if (denseBytes == null) {
      int limit = BatchingOptions.denseRowsOfBatch(options.maxBatchBytes(), numFeatures, denseBatches);
      if (denseFrame == null || denseFrame.rows != limit) {
        denseFrame = new ArrowBatchCodec.Frame(limit, numFeatures, false, 0, allocator);
      }
      denseBytes = new byte[denseFrame.length];
    }
    if (rowCount > denseFrame.rows) {
      throw new IllegalStateException("The batch holds its " + denseFrame.rows + " rows; flush it before appending");
    }
  }

  /**
   * The current dense batch as its IPC stream: the batch's own array when it is full, else a stream of its length
   * with the values copied over.
   */
  private byte[] finishDense() {
    byte[] out;
    if (rows == denseFrame.rows) {
      out = denseBytes;
      denseFrame.finish(out, labels, weights);
    } else {
      ArrowBatchCodec.Frame frame = new ArrowBatchCodec.Frame(rows, numFeatures, false, 0, allocator);
      out = new byte[frame.length];
      System.arraycopy(denseBytes, denseFrame.denseValuesAt(), out, frame.denseValuesAt(), 4 * frame.elements);
      frame.finish(out, labels, weights);
    }
    denseBatches++;
    denseBytes = null;
    return out;
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

  /** True once the current batch must be flushed before another row is added. */
  public boolean isFull() {
    if (sparse == null) {
      return false;
    }
    if (!sparse) {
      return rows >= denseFrame.rows;
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
      denseBytes = null; // a dense first row that was skipped leaves its stream behind
      return null;
    }
    // A sparse batch is encoded from the writer's arrays (their first rows), which the next batch then reuses.
    byte[] bytes = sparse
        ? ArrowBatchCodec.encodeSparse(rows, numFeatures, rowPtr, colIndices, values, labels, weights, allocator)
        : finishDense();
    stats.addBatch();
    rows = 0;
    sparse = null;
    rowPtr[0] = 0;
    return bytes;
  }
}
