package io.sparkgpu.train;

import io.sparkgpu.arrow.BatchRecord;
import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.backend.DeviceSetting;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Runs epochs as Spark jobs over the cached Arrow batches: the driver sends the epoch's input (inside the tasks when
 * its floats take at most {@link #INLINE_INPUT_BYTES}, else as a broadcast destroyed after the job), each task trains its
 * partition (resident in the executor's {@link ResidentDataCache} from the first epoch on) and returns a
 * {@link PartitionUpdate}. Each epoch is an {@link EpochRDD}, which reaches
 * the cached blocks by id rather than through their lineage; when an executor has lost some of them (and the
 * partitions resident there), the epoch's job fails, this runner recomputes the missing blocks from their lineage
 * and runs the epoch again. Owns the fit's config broadcast and, through {@link #close}, the release of the
 * resident partitions.
 */
public final class SparkEpochRunner implements EpochRunner {
  private static final Logger LOG = LoggerFactory.getLogger(SparkEpochRunner.class);
  /** Epoch jobs that fail for missing blocks are re-run this many times, each after re-materialising them. */
  static final int MAX_RECOVERIES = 3;
  /**
   * Inputs up to this size (parameters and optimizer state, as floats) go inside the epoch's task binary, which
   * Spark broadcasts anyway, instead of in a broadcast of their own that costs milliseconds per epoch to create and
   * destroy. Well below the 1000 KiB from which Spark warns about a large task binary.
   */
  static final long INLINE_INPUT_BYTES = 256 << 10;
  private final JavaSparkContext sc;
  private final BatchedDataset data;
  private final String fitId;
  private final Broadcast<TrainingConfig> config;
  private final DeviceSetting device;
  private final int[][] cachedPartitions;
  private final long inlineInputBytes;
  private List<List<String>> blockLocations;

  public SparkEpochRunner(JavaSparkContext sc, BatchedDataset data, TrainingConfig config, String fitId,
      DeviceSetting device) {
    this(sc, data, config, fitId, device, INLINE_INPUT_BYTES);
  }

  /** As above, with inputs up to {@code inlineInputBytes} sent inside the tasks (tests use 0: always broadcast). */
  SparkEpochRunner(JavaSparkContext sc, BatchedDataset data, TrainingConfig config, String fitId,
      DeviceSetting device, long inlineInputBytes) {
    this.inlineInputBytes = inlineInputBytes;
    this.sc = sc;
    this.data = data;
    this.fitId = fitId;
    this.device = device;
    this.config = sc.broadcast(config);
    this.cachedPartitions = new int[data.numPartitions()][];
    for (int p = 0; p < cachedPartitions.length; p++) {
      cachedPartitions[p] = data.cachedPartitionsOf(p);
    }
  }

  @Override
  public List<PartitionUpdate> runEpoch(EpochInput input, String description) {
    Broadcast<EpochInput> in = sendsInline(input, inlineInputBytes) ? null : sc.broadcast(input);
    try {
      EpochTask task = new EpochTask(fitId, config, in == null ? input : null, in, device,
          data.statistics().numFeatures(), data.numPartitions());
      for (int recovery = 0; ; recovery++) {
        if (blockLocations == null) {
          blockLocations = CachedBatchBlocks.locations(cachedRddId(), data.cachedRecords().getNumPartitions());
        }
        sc.setJobDescription(description);
        try {
          return Arrays.asList(new EpochRDD(sc.sc(), task, cachedRddId(), cachedPartitions, blockLocations).run());
        } catch (Exception e) { // a failed job's SparkException, checked in Java, thrown unchecked by Scala
          if (!CachedBatchBlocks.MissingBlockException.isCause(e) || recovery >= MAX_RECOVERIES) {
            throw SparkEpochRunner.<RuntimeException>unchanged(e);
          }
          sc.setJobDescription(null);
          recompute(description);
        }
      }
    } finally {
      sc.setJobDescription(null);
      if (in != null) {
        in.destroy();
      }
    }
  }

  /** Whether {@code input} travels inside the tasks: its floats take at most {@code limitBytes}. */
  static boolean sendsInline(EpochInput input, long limitBytes) {
    return 4L * (input.params().length + (long) input.state().length) <= limitBytes;
  }

  /** Recomputes, from their lineage, the cached blocks that no live executor holds, then locates them again. */
  private void recompute(String description) {
    List<List<String>> now = CachedBatchBlocks.locations(cachedRddId(), data.cachedRecords().getNumPartitions());
    List<Object> missing = new ArrayList<>();
    for (int p = 0; p < now.size(); p++) {
      if (now.get(p).isEmpty()) {
        missing.add(p);
      }
    }
    LOG.info("{}: {} of {} cached batch partitions are on no live executor ({}); recomputing them from their "
        + "lineage, then running the epoch again", description, missing.size(), now.size(), missing);
    if (!missing.isEmpty()) {
      sc.setJobDescription("spark-gpu recompute lost batches " + missing + " of " + fitId);
      try {
        sc.sc().runJob(data.cachedRecords().rdd(), new CountRecords(),
            CollectionConverters.asScala(missing).toList(), ClassTag$.MODULE$.apply(Long.class));
      } finally {
        sc.setJobDescription(null);
      }
    }
    blockLocations = null;
  }

  /** Rethrows {@code e} as it is, checked or not. */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E unchanged(Exception e) throws E {
    throw (E) e;
  }

  /** The fit whose resident partitions this runner trains. */
  String fitId() {
    return fitId;
  }

  private int cachedRddId() {
    return data.cachedRecords().id();
  }

  @Override
  public String backendDescription() {
    return "device=" + device.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    ResidentDataCache.global().releaseFit(fitId); // local mode: executors share this JVM
    try {
      if (!sc.isLocal()) { // in local mode the line above has released every partition; no job is needed
        sc.setJobDescription("spark-gpu release resident partitions of " + fitId);
        String id = fitId; // a local, so that the closure does not capture this runner
        data.records().foreachPartition(it -> ResidentDataCache.global().releaseFit(id));
      }
    } finally {
      sc.setJobDescription(null);
      config.destroy();
    }
  }

  /** Drains a partition of the cached batches (computing and caching it), counting its records. */
  private static final class CountRecords extends AbstractFunction1<Iterator<BatchRecord>, Long>
      implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Long apply(Iterator<BatchRecord> records) {
      long n = 0;
      while (records.hasNext()) {
        records.next();
        n++;
      }
      return n;
    }
  }
}
