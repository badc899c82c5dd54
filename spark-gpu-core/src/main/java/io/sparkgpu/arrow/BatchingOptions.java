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
 */
public record BatchingOptions(String featuresColumn, String labelColumn, String weightColumn, LabelKind labelKind,
    long maxBatchBytes) implements Serializable {

  /** 64 MiB: large enough to amortise per-batch costs, small enough to spill and ship comfortably. */
  public static final long DEFAULT_MAX_BATCH_BYTES = 64L << 20;
  /** Arrow vectors are indexed by int32, and Java arrays and ByteBuffers by int: stay well below 2^31 bytes. */
  public static final long MAX_BATCH_BYTES_LIMIT = 1L << 30;

  public BatchingOptions {
    if (maxBatchBytes < 1024 || maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxBatchBytes must be in [1024, " + MAX_BATCH_BYTES_LIMIT + "] but was "
          + maxBatchBytes);
    }
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
}
