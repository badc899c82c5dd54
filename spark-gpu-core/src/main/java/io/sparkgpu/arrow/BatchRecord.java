package io.sparkgpu.arrow;

import java.io.Serializable;

/**
 * One element of a partition after batching: either an encoded Arrow batch or, last in every partition, that
 * partition's {@link PartitionStatistics}. Both travel in the same cached RDD so that one pass over the input gives
 * both.
 */
public final class BatchRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  private final byte[] arrowBatch;
  private final PartitionStatistics statistics;

  private BatchRecord(byte[] arrowBatch, PartitionStatistics statistics) {
    this.arrowBatch = arrowBatch;
    this.statistics = statistics;
  }

  public static BatchRecord batch(byte[] arrowBatch) {
    return new BatchRecord(arrowBatch, null);
  }

  public static BatchRecord statistics(PartitionStatistics statistics) {
    return new BatchRecord(null, statistics);
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
