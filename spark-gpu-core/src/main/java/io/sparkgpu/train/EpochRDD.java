package io.sparkgpu.train;

import io.sparkgpu.arrow.BatchRecord;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.Dependency;
import org.apache.spark.Partition;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;

/**
 * One training epoch as an RDD with no parent: partition p trains the fit's resident partition p, which the first
 * epoch (or the first after an executor lost it) builds from the cached batch blocks, read by block id
 * ({@link CachedBatchBlocks}). Each epoch's task binary therefore holds this RDD and its {@link EpochTask} alone, not
 * the lineage of the batches (their SQL plan and the source DataFrame's RDDs), which the driver would otherwise
 * serialise and every task deserialise each epoch. Its tasks prefer the executors holding the blocks, as a
 * {@code mapPartitions} over the cached RDD would. A task whose block is gone fails with
 * {@link CachedBatchBlocks.MissingBlockException}; {@link SparkEpochRunner} then re-materialises the blocks from
 * their lineage and runs the epoch again. In local mode one such RDD, whose task is {@link EpochTask#forLoop}, runs
 * all the epochs of a fit as one job ({@link #start}). Holds no resources.
 */
final class EpochRDD extends RDD<PartitionUpdate> {
  private static final long serialVersionUID = 1L;
  private final EpochTask task;
  private final int cachedRddId;
  private final int[][] cachedPartitions;
  private final String[][] locations;

  /**
   * @param cachedPartitions for each partition of the epoch, the cached partitions it trains on (one, unless the
   *     batches were coalesced)
   * @param locations for each cached partition, the task locations holding its block
   */
  EpochRDD(SparkContext sc, EpochTask task, int cachedRddId, int[][] cachedPartitions, List<List<String>> locations) {
    super(sc, noDependencies(), ClassTag$.MODULE$.apply(PartitionUpdate.class));
    this.task = task;
    this.cachedRddId = cachedRddId;
    this.cachedPartitions = cachedPartitions;
    this.locations = new String[cachedPartitions.length][];
    for (int p = 0; p < cachedPartitions.length; p++) {
      this.locations[p] = Arrays.stream(cachedPartitions[p]).mapToObj(locations::get).flatMap(List::stream)
          .distinct().toArray(String[]::new);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static scala.collection.immutable.Seq<Dependency<?>> noDependencies() {
    return (scala.collection.immutable.Seq) scala.collection.immutable.Nil$.MODULE$;
  }

  /**
   * Runs the epoch: one update per partition, in partition order. The job function takes the task context as well,
   * because {@code runJob} wraps a function of the iterator alone in a lambda of its own, which the closure cleaner
   * then reads from SparkContext's class file on every call: ~1.6 ms of the driver's time per epoch.
   */
  PartitionUpdate[] run() {
    return (PartitionUpdate[]) context().runJob(this, new OnlyUpdate(), ClassTag$.MODULE$.apply(PartitionUpdate.class));
  }

  /**
   * Starts the fit's long-lived local job (its task is {@link EpochTask#forLoop}): every partition's task trains the
   * rounds of the fit's {@link LocalEpochLoop} until it closes. Returns at once; the future ends with the tasks.
   */
  JavaFutureAction<Void> start() {
    // compute() trains every round before it returns its empty iterator: the job's function has nothing left to do.
    return new JavaRDD<>(this, ClassTag$.MODULE$.apply(PartitionUpdate.class)).foreachPartitionAsync(updates -> { });
  }

  @Override
  public Partition[] getPartitions() {
    Partition[] parts = new Partition[cachedPartitions.length];
    for (int p = 0; p < parts.length; p++) {
      parts[p] = new Slot(p);
    }
    return parts;
  }

  @Override
  public Iterator<PartitionUpdate> compute(Partition split, TaskContext context) {
    int p = split.index();
    Supplier<java.util.Iterator<BatchRecord>> records =
        () -> CachedBatchBlocks.read(cachedRddId, cachedPartitions[p]).iterator();
    if (task.isLoop()) {
      task.trainRounds(p, records, context);
      return scala.collection.Iterator$.MODULE$.empty();
    }
    return scala.collection.Iterator$.MODULE$.single(task.train(p, records));
  }

  @Override
  public scala.collection.immutable.Seq<String> getPreferredLocations(Partition split) {
    return CollectionConverters.asScala(Arrays.asList(locations[split.index()])).toList();
  }

  /** A partition of the epoch: its index, nothing else. */
  private static final class Slot implements Partition {
    private static final long serialVersionUID = 1L;
    private final int index;

    Slot(int index) {
      this.index = index;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public int hashCode() {
      return index;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slot && ((Slot) o).index == index;
    }
  }

  /**
   * The job's function: the partition's single update. A named class, not a lambda, so that Spark's closure cleaner
   * has nothing to inspect.
   */
  private static final class OnlyUpdate extends AbstractFunction2<TaskContext, Iterator<PartitionUpdate>,
      PartitionUpdate> implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public PartitionUpdate apply(TaskContext context, Iterator<PartitionUpdate> updates) {
      return updates.next();
    }
  }
}
