package io.sparkgpu.arrow;

import java.io.Serializable;

/**
 * One element of a partition after batching: either an encoded Arrow batch or, last in every partition, that
 * partition's {@link PartitionStatistics}. Both travel in the same cached RDD so that one pass over the input gives
 * both. Each is marked as training or validation (rows held out by the validation indicator column).
 */
public final class BatchRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  private final byte[] arrowBatch;
  private final PartitionStatistics statistics;
  private final boolean validation;

  private BatchRecord(byte[] arrowBatch, PartitionStatistics statistics, boolean validation) {
    this.arrowBatch = arrowBatch;
    this.statistics = statistics;
    this.validation = validation;
  }

  public static BatchRecord batch(byte[] arrowBatch, boolean validation) {
    return new BatchRecord(arrowBatch, null, validation);
  }

  public static BatchRecord statistics(PartitionStatistics statistics, boolean validation) {
    return new BatchRecord(null, statistics, validation);
  }

  /** True for held-out validation rows (or their statistics). */
  public boolean isValidation() {
    return validation;
  }

  public boolean isBatch() {
    return arrowBatch != null;
  }

  public byte[] arrowBatch() {
    return arrowBatch;
  }

  public PartitionStatistics statistics() {
    return statistics;
  }
}
