package io.sparkgpu.train;

import io.sparkgpu.arrow.BatchRecord;
import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.plugin.PluginConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaFutureAction;
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
 * and runs the epoch again.
 *
 * <p>In local mode, when every partition has a task slot (beside those the local jobs of other fits in this JVM hold),
 * the epochs run instead as one long-lived job ({@link EpochRDD#start}) whose tasks take each epoch's input from the
 * driver and hand back their updates through a {@link LocalEpochLoop}: one job per fit instead of one per epoch, whose
 * scheduling costs ~4.5 ms an epoch on a 2-core machine. {@code spark.sparkgpu.localEpochLoop=false} turns this off.
 * When not every task starts within {@link #JOIN_TIMEOUT_MILLIS} (another job holds their slots) or a cached block is
 * lost, the runner ends that job (and recomputes the lost blocks) and goes on with one job per epoch. Owns the fit's
 * config broadcast, the loop and its job, and, through {@link #close}, the release of the resident partitions.
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
  /** How long the long-lived local job's tasks may take to start before the runner falls back to a job per epoch. */
  static final long JOIN_TIMEOUT_MILLIS = 10_000;
  private final JavaSparkContext sc;
  private final BatchedDataset data;
  private final String fitId;
  private final Broadcast<TrainingConfig> config;
  private final DeviceSetting device;
  private final int[][] cachedPartitions;
  private final long inlineInputBytes;
  private final long joinTimeoutMillis;
  /** Task slots of the local executor (0 on a cluster). */
  private final int slots;
  private List<List<String>> blockLocations;
  private boolean useLoop;
  private LocalEpochLoop loop;
  private JavaFutureAction<Void> loopJob;

  public SparkEpochRunner(JavaSparkContext sc, BatchedDataset data, TrainingConfig config, String fitId,
      DeviceSetting device) {
    this(sc, data, config, fitId, device, INLINE_INPUT_BYTES, JOIN_TIMEOUT_MILLIS);
  }

  /**
   * As above, with inputs up to {@code inlineInputBytes} sent inside the tasks (tests use 0: always broadcast) and
   * the long-lived local job's tasks given {@code joinTimeoutMillis} to start.
   */
  SparkEpochRunner(JavaSparkContext sc, BatchedDataset data, TrainingConfig config, String fitId,
      DeviceSetting device, long inlineInputBytes, long joinTimeoutMillis) {
    this.inlineInputBytes = inlineInputBytes;
    this.joinTimeoutMillis = joinTimeoutMillis;
    this.sc = sc;
    this.data = data;
    this.fitId = fitId;
    this.device = device;
    this.config = sc.broadcast(config);
    this.cachedPartitions = new int[data.numPartitions()][];
    for (int p = 0; p < cachedPartitions.length; p++) {
      cachedPartitions[p] = data.cachedPartitionsOf(p);
    }
    // Spark's own count of task slots (private[spark] in Scala, public to Java; Spark is pinned at 4.1.0).
    this.slots = sc.isLocal()
        ? sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile()) : 0;
    if (sc.isLocal()) {
      boolean wanted = localLoopSetting(sc);
      this.useLoop = runsLocalLoop(true, wanted, cachedPartitions.length, slots);
      if (!useLoop) {
        LOG.info("{}: one Spark job per epoch ({} partitions, {} task slots, {}={})", fitId, cachedPartitions.length,
            slots, PluginConfig.LOCAL_EPOCH_LOOP.name(), wanted);
      }
    }
  }

  /**
   * Whether the epochs run as one long-lived job: only in local mode (where the driver and the tasks share a JVM),
   * when the setting allows it, and when every partition has a task slot (else the first tasks would wait for
   * epochs that the others, never started, cannot train).
   */
  static boolean runsLocalLoop(boolean local, boolean wanted, int partitions, int slots) {
    return local && wanted && partitions <= slots;
  }

  /** {@code spark.sparkgpu.localEpochLoop} from the thread's local properties, else from the conf; true if unset. */
  static boolean localLoopSetting(JavaSparkContext sc) {
    String key = PluginConfig.LOCAL_EPOCH_LOOP.name();
    String local = sc.getLocalProperty(key);
    if (local != null) {
      return PluginConfig.LOCAL_EPOCH_LOOP.parse().apply(local);
    }
    return PluginConfig.LOCAL_EPOCH_LOOP.get(sc.getConf()).orElse(true);
  }

  @Override
  public List<PartitionUpdate> runEpoch(EpochInput input, String description) {
    if (useLoop && loop == null && !startLoop(description)) {
      useLoop = false;
    }
    if (useLoop) {
      try {
        return loop.runRound(input, this::loopJobEnded, joinTimeoutMillis);
      } catch (LocalEpochLoop.NotAllJoined e) {
        LOG.info("{}: {}; ending that job and running one job per epoch ({}=false skips the attempt)", description,
            e.getMessage(), PluginConfig.LOCAL_EPOCH_LOOP.name());
        endLoop();
      } catch (Exception e) { // a failed job's SparkException, checked in Java, thrown unchecked by Scala
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt(); // so that ending the loop does not wait
        }
        endLoop();
        if (!CachedBatchBlocks.MissingBlockException.isCause(e)) {
          throw SparkEpochRunner.<RuntimeException>unchanged(e);
        }
        LOG.info("{}: the fit's local job lost a cached block; recomputing it and running one job per epoch",
            description);
        recompute(description);
      }
    }
    return runEpochJob(input, description);
  }

  /**
   * Opens the fit's loop and starts its long-lived local job; false, having done neither, when other fits' local jobs
   * hold too many task slots. On failure leaves neither behind.
   */
  private boolean startLoop(String description) {
    EpochTask task = EpochTask.forLoop(fitId, config, device, data.statistics().numFeatures(), data.numPartitions());
    EpochRDD rdd = new EpochRDD(sc.sc(), task, cachedRddId(), cachedPartitions, blockLocations());
    loop = LocalEpochLoop.open(fitId, cachedPartitions.length, slots);
    if (loop == null) {
      LOG.info("{}: other fits' local jobs hold {} of the {} task slots; one Spark job per epoch", description,
          LocalEpochLoop.slotsHeld(), slots);
      return false;
    }
    LOG.info("{}: all epochs of the {} partitions run as one local Spark job ({} task slots; {}=false runs one job "
        + "per epoch)", fitId, cachedPartitions.length, slots, PluginConfig.LOCAL_EPOCH_LOOP.name());
    try {
      loopJob = described(description + " (this and the later epochs of " + fitId + ": one local job)", rdd::start);
    } catch (RuntimeException | Error e) {
      loop.close();
      loop = null;
      throw e;
    }
    return true;
  }

  /** The cached blocks' locations, looked up once and again after a recompute. */
  private List<List<String>> blockLocations() {
    if (blockLocations == null) {
      blockLocations = CachedBatchBlocks.locations(cachedRddId(), data.cachedRecords().getNumPartitions());
    }
    return blockLocations;
  }

  /**
   * The long-lived job's failure once it has ended (with the driver's stack appended, as {@code runJob} does); null
   * while it runs.
   */
  private Throwable loopJobEnded() {
    if (!loopJob.isDone()) {
      return null;
    }
    Throwable ended;
    try {
      loopJob.get();
      ended = new IllegalStateException("The local job of " + fitId + " ended while the driver waited for an epoch; "
          + "set " + PluginConfig.LOCAL_EPOCH_LOOP.name() + "=false for one job per epoch");
    } catch (ExecutionException | CancellationException e) {
      ended = e.getCause(); // the job's own failure, as runJob would throw it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = e;
    }
    StackTraceElement[] job = ended.getStackTrace();
    StackTraceElement[] here = Thread.currentThread().getStackTrace();
    StackTraceElement[] both = Arrays.copyOf(job, job.length + here.length - 1);
    System.arraycopy(here, 1, both, job.length, here.length - 1);
    ended.setStackTrace(both);
    return ended;
  }

  /** No more rounds through the local job: it is ended, and later epochs run as jobs of their own. */
  private void endLoop() {
    useLoop = false;
    stopLoop();
  }

  /**
   * Closes the loop, so that idle tasks return, cancels the job if a task never started (it would keep the job
   * alive), and waits until every task that started has left the loop, holding nothing of the fit's: a task in the
   * middle of an epoch (after the driver stopped waiting for it) leaves when the epoch is trained. An interrupted
   * driver thread cancels the job and does not wait.
   */
  private void stopLoop() {
    if (loop == null) {
      return;
    }
    LocalEpochLoop closing = loop;
    loop = null;
    closing.close();
    if (!closing.allJoined()) {
      loopJob.cancel(true);
    }
    try {
      if (!closing.awaitTasksLeft(60_000)) {
        LOG.warn("{}: a task of the local job of its epochs is still training 60 s after the job was ended", fitId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      loopJob.cancel(true);
    }
    loopJob = null;
  }

  /** One epoch as its own Spark job. */
  private List<PartitionUpdate> runEpochJob(EpochInput input, String description) {
    Broadcast<EpochInput> in = sendsInline(input, inlineInputBytes) ? null : sc.broadcast(input);
    try {
      EpochTask task = new EpochTask(fitId, config, in == null ? input : null, in, device,
          data.statistics().numFeatures(), data.numPartitions());
      for (int recovery = 0; ; recovery++) {
        List<List<String>> locations = blockLocations();
        try {
          return described(description,
              () -> Arrays.asList(new EpochRDD(sc.sc(), task, cachedRddId(), cachedPartitions, locations).run()));
        } catch (Exception e) { // a failed job's SparkException, checked in Java, thrown unchecked by Scala
          if (!CachedBatchBlocks.MissingBlockException.isCause(e) || recovery >= MAX_RECOVERIES) {
            throw SparkEpochRunner.<RuntimeException>unchanged(e);
          }
          recompute(description);
        }
      }
    } finally {
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
      described("spark-gpu recompute lost batches " + missing + " of " + fitId,
          () -> sc.sc().runJob(data.cachedRecords().rdd(), new CountRecords(),
              CollectionConverters.asScala(missing).toList(), ClassTag$.MODULE$.apply(Long.class)));
    }
    blockLocations = null;
  }

  /** Rethrows {@code t} as it is, checked or not (declared to return, so that callers can write {@code throw}). */
  @SuppressWarnings("unchecked")
  static <E extends Throwable> E unchanged(Throwable t) throws E {
    throw (E) t;
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
    try {
      stopLoop();
    } finally {
      releaseResident();
    }
  }

  private void releaseResident() {
    ResidentDataCache.global().releaseFit(fitId); // local mode: executors share this JVM
    try {
      if (!sc.isLocal()) { // in local mode the line above has released every partition; no job is needed
        String id = fitId; // a local, so that the closure does not capture this runner
        described("spark-gpu release resident partitions of " + fitId, () -> {
          data.records().foreachPartition(it -> ResidentDataCache.global().releaseFit(id));
          return null;
        });
      }
    } finally {
      config.destroy();
    }
  }

  /** Runs {@code jobs} (code that starts Spark jobs) with {@code description} as their job description. */
  private <T> T described(String description, Supplier<T> jobs) {
    sc.setJobDescription(description);
    try {
      return jobs.get();
    } finally {
      sc.setJobDescription(null);
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
