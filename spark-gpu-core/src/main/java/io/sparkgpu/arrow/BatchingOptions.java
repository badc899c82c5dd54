package io.sparkgpu.arrow;

import java.io.Serializable;

/**
 * What the batching pass needs to know: the column names (for error messages), how to check labels, and how large
 * a batch may grow. Immutable.
 *
 * @param featuresColumn name of the features column, or a description of the feature columns
 * @param labelColumn name of the label column
 * @param weightColumn name of the weight column, or empty when every row weighs 1
 * @param labelKind how labels are checked
 * @param maxBatchBytes upper bound of one encoded batch's feature, label and weight bytes
 * @param invalidRows what to do with a row holding an invalid value (the {@code handleInvalid} Param)
 * @param numClasses for class labels: labels must be below this (0: only the float32-exact bound 2^24)
 * @param numClassesSetting the Param that fixes {@code numClasses}, named in messages (e.g. "layers")
 */
public record BatchingOptions(String featuresColumn, String labelColumn, String weightColumn, LabelKind labelKind,
    long maxBatchBytes, InvalidRows invalidRows, int numClasses, String numClassesSetting) implements Serializable {

  /** 64 MiB: large enough to amortise per-batch costs, small enough to spill and ship comfortably. */
  public static final long DEFAULT_MAX_BATCH_BYTES = 64L << 20;
  /** Arrow vectors are indexed by int32, and Java arrays and ByteBuffers by int: stay well below 2^31 bytes. */
  public static final long MAX_BATCH_BYTES_LIMIT = 1L << 30;

  /**
   * 4 MiB: the budget of a partition's first dense batch when {@link #maxBatchBytes} is larger; each later batch
   * doubles it up to {@link #maxBatchBytes}. A dense batch's array is allocated at its full length when its first row
   * is written, so a partition of a few rows does not pay for a 64 MiB array.
   */
  public static final long FIRST_DENSE_BATCH_BYTES = 4L << 20;

  /** Class labels are exact in float32 up to 2^24. */
  public static final int MAX_CLASS_LABEL = 1 << 24;

  public BatchingOptions {
    if (maxBatchBytes < 1024 || maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxBatchBytes must be in [1024, " + MAX_BATCH_BYTES_LIMIT + "] but was "
          + maxBatchBytes);
    }
    if (invalidRows == null || numClasses < 0 || numClasses > MAX_CLASS_LABEL) {
      throw new IllegalArgumentException("invalidRows must be set and numClasses in [0, " + MAX_CLASS_LABEL
          + "] but were " + invalidRows + " and " + numClasses);
    }
  }

  /** Invalid values are errors; class labels only bounded by 2^24. */
  public BatchingOptions(String featuresColumn, String labelColumn, String weightColumn, LabelKind labelKind,
      long maxBatchBytes) {
    this(featuresColumn, labelColumn, weightColumn, labelKind, maxBatchBytes, InvalidRows.ERROR, 0, "");
  }

  /** The same options with {@code policy} for invalid rows. */
  public BatchingOptions withInvalidRows(InvalidRows policy) {
    return new BatchingOptions(featuresColumn, labelColumn, weightColumn, labelKind, maxBatchBytes, policy,
        numClasses, numClassesSetting);
  }

  /** The same options with class labels bounded by {@code classes}, a bound set by the Param {@code setting}. */
  public BatchingOptions withNumClasses(int classes, String setting) {
    return new BatchingOptions(featuresColumn, labelColumn, weightColumn, labelKind, maxBatchBytes, invalidRows,
        classes, setting);
  }

  /** The exclusive upper bound of class labels. */
  public int classLabelLimit() {
    return numClasses > 0 ? numClasses : MAX_CLASS_LABEL;
  }

  /**
   * Whether one dense row of {@code numFeatures} float32 values fits an Arrow buffer whose byte length is indexed by
   * int32 within the largest batch allowed; wider rows are batched in sparse (CSR) form instead.
   */
  public static boolean denseRowFits(long numFeatures) {
    return 4L * numFeatures + 16L <= MAX_BATCH_BYTES_LIMIT;
  }

  /**
   * Rows of {@code numFeatures} dense features that fit one batch: bounded by {@link #maxBatchBytes} and by Arrow's
   * int32 element limit. Always at least 1 row.
   */
  public static int denseRowsPerBatch(long maxBatchBytes, int numFeatures) {
    long bytesPerRow = 4L * numFeatures + 16L;
    long byBytes = maxBatchBytes / bytesPerRow;
    long byElements = (Integer.MAX_VALUE - 8L) / Math.max(1, numFeatures);
    return (int) Math.max(1, Math.min(Math.min(byBytes, byElements), Integer.MAX_VALUE - 8L));
  }

  /**
   * Rows of {@code numFeatures} dense features in a partition's dense batch number {@code batchIndex} (0 first): the
   * budget starts at {@link #FIRST_DENSE_BATCH_BYTES} (or {@code maxBatchBytes} when smaller) and doubles with each
   * batch up to {@code maxBatchBytes}; rows as {@link #denseRowsPerBatch} for that budget.
   */
  public static int denseRowsOfBatch(long maxBatchBytes, int numFeatures, int batchIndex) {
    long budget = Math.min(maxBatchBytes, FIRST_DENSE_BATCH_BYTES << Math.min(batchIndex, 32));
    return denseRowsPerBatch(budget, numFeatures);
  }
}
