package io.sparkgpu.train;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the training work done in this JVM (an executor, or the driver in local mode): bytes and partitions
 * made resident on a backend, mini-batches and partition epochs trained, their total duration, and the duration of the
 * last partition epoch. The trainer bumps them ({@link ResidentPartition#build}, {@link PartitionTrainer#trainEpoch}); the Spark
 * plugin publishes them as metrics. Monotonic except {@link #lastEpochSeconds}; thread-safe; owns nothing.
 */
public final class TrainerCounters {
  private static final TrainerCounters GLOBAL = new TrainerCounters();

  private final LongAdder bytesMadeResident = new LongAdder();
  private final LongAdder partitionsMadeResident = new LongAdder();
  private final LongAdder batchesTrained = new LongAdder();
  private final LongAdder partitionEpochs = new LongAdder();
  private final LongAdder partitionEpochNanos = new LongAdder();
  private volatile double lastEpochSeconds;

  TrainerCounters() {}

  /** The counters of this JVM. */
  public static TrainerCounters global() {
    return GLOBAL;
  }

  void partitionMadeResident(long bytes) {
    bytesMadeResident.add(bytes);
    partitionsMadeResident.increment();
  }

  void epochTrained(long batches, double seconds) {
    batchesTrained.add(batches);
    partitionEpochs.increment();
    partitionEpochNanos.add(Math.round(seconds * 1e9));
    lastEpochSeconds = seconds;
  }

  /** Bytes copied to a backend to make partitions resident (features, labels, weights), since the JVM started. */
  public long bytesMadeResident() {
    return bytesMadeResident.sum();
  }

  /** Partitions made resident since the JVM started (a partition rebuilt after eviction counts again). */
  public long partitionsMadeResident() {
    return partitionsMadeResident.sum();
  }

  /** Mini-batch optimizer steps taken since the JVM started. */
  public long batchesTrained() {
    return batchesTrained.sum();
  }

  /** One partition trained for one epoch counts one. */
  public long partitionEpochs() {
    return partitionEpochs.sum();
  }

  /**
   * Seconds spent inside partition epochs (from receiving the parameters to returning the update, data already
   * resident) since the JVM started, summed over partitions.
   */
  public double partitionEpochSeconds() {
    return partitionEpochNanos.sum() / 1e9;
  }

  /** Seconds of the most recent partition epoch trained here; 0 before the first. */
  public double lastEpochSeconds() {
    return lastEpochSeconds;
  }
}
