package io.sparkgpu.arrow;

import java.util.List;
import org.apache.spark.NarrowDependency;
import org.apache.spark.api.java.JavaRDD;

/**
 * A DataFrame after batching: the cached RDD of {@link BatchRecord}s (one partition per training worker) and the
 * statistics of its training rows (and of its validation rows, kept apart). Owns the cache; {@link #close} unpersists it.
 */
public final class BatchedDataset implements AutoCloseable {
  private final JavaRDD<BatchRecord> cached;
  private final JavaRDD<BatchRecord> records;
  private final PartitionStatistics statistics;
  private final List<PartitionStatistics> perPartition;
  private final PartitionStatistics validation;
  private final long maxBatchBytes;

  BatchedDataset(JavaRDD<BatchRecord> records, PartitionStatistics statistics,
      List<PartitionStatistics> perPartition, PartitionStatistics validation, long maxBatchBytes) {
    this(records, records, statistics, perPartition, validation, maxBatchBytes);
  }

  private BatchedDataset(JavaRDD<BatchRecord> cached, JavaRDD<BatchRecord> records, PartitionStatistics statistics,
      List<PartitionStatistics> perPartition, PartitionStatistics validation, long maxBatchBytes) {
    this.cached = cached;
    this.records = records;
    this.statistics = statistics;
    this.perPartition = List.copyOf(perPartition);
    this.validation = validation;
    this.maxBatchBytes = maxBatchBytes;
  }

  /** The largest batch, in bytes of values: what one decoded batch may need. */
  public long maxBatchBytes() {
    return maxBatchBytes;
  }

  /** Statistics of the held-out validation rows (no rows when there is no validation indicator). */
  public PartitionStatistics validationStatistics() {
    return validation;
  }

  /**
   * The same batches in {@code n} partitions, without a shuffle (the cached partitions are grouped, lazily: a
   * resident partition does not read them again). The result shares this one's cache; closing either unpersists
   * it. Per-partition statistics of a grouping are not known, so the result reports one partition holding every
   * row as its largest (an upper bound).
   */
  public BatchedDataset coalesce(int n) {
    if (n >= numPartitions()) {
      return this;
    }
    PartitionStatistics all = new PartitionStatistics(0).merge(statistics);
    return new BatchedDataset(cached, records.coalesce(n), statistics, List.of(all), validation, maxBatchBytes);
  }

  public JavaRDD<BatchRecord> records() {
    return records;
  }

  /** The persisted RDD whose blocks hold the batches: {@link #records} itself, or the RDD it coalesces. */
  public JavaRDD<BatchRecord> cachedRecords() {
    return cached;
  }

  /** The partitions of {@link #cachedRecords} that make up partition {@code p} of {@link #records}. */
  public int[] cachedPartitionsOf(int p) {
    if (records == cached) {
      return new int[] {p};
    }
    // coalesce(n) without a shuffle is one narrow dependency on the cached RDD
    NarrowDependency<?> dependency = (NarrowDependency<?>) records.rdd().dependencies().head();
    scala.collection.immutable.Seq<Object> parents = dependency.getParents(p);
    int[] out = new int[parents.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Integer) parents.apply(i);
    }
    return out;
  }

  public PartitionStatistics statistics() {
    return statistics;
  }

  public List<PartitionStatistics> perPartition() {
    return perPartition;
  }

  public int numPartitions() {
    return records.getNumPartitions();
  }

  /** Rows of the largest partition. */
  public long maxPartitionRows() {
    long max = 0;
    for (PartitionStatistics p : perPartition) {
      max = Math.max(max, p.rows());
    }
    return max;
  }

  @Override
  public void close() {
    cached.unpersist(false);
  }
}
