package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.arrow.DatasetBatcher;
import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.it.SharedSpark;
import io.sparkgpu.it.SparkActivity;
import io.sparkgpu.it.SyntheticData;
import io.sparkgpu.plugin.PluginConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDBlockId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Epochs as {@link EpochRDD} jobs: they reach the cached batches by block id, so a lost block (with the partition
 * that was resident beside it) must be recomputed from its lineage and give exactly the update an undisturbed epoch
 * gives; the epoch's input must give the same update inline and as a broadcast; a coalesced partition trains on all
 * its cached partitions. The same epochs through the long-lived local job ({@link LocalEpochLoop}) must give the same
 * updates bit for bit in one job, and must fall back to a job per epoch when a block is lost or a task cannot start.
 */
class SparkEpochRunnerTest {
  private static final String RECOMPUTE = "spark-gpu recompute lost batches";
  private static SparkSession spark;
  private static JavaSparkContext sc;
  private static Dataset<Row> rows;
  private static BatchedDataset data;
  private static FitPlan plan;

  @BeforeAll
  static void batch() {
    spark = SharedSpark.get();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    rows = SyntheticData.classes(spark, 11L, 3_000, 6, 2, 1.0, 2).cache();
    data = DatasetBatcher.batch(rows, FeatureColumns.single("features"), "label", null, LabelKind.CLASS_INDEX,
        1 << 16, 2);
    TrainingSettings settings = new TrainingSettings(OptimizerKind.SGD, 0.1, false, 0.9, 64, 3,
        LearningRateSchedule.CONSTANT, 5L, 0.01, 0.0, true, true, 1L << 30, 1);
    plan = FitPlan.linear(FitPlan.LinearKind.BINOMIAL, 2, data.statistics(), settings, 2);
  }

  @AfterAll
  static void release() {
    data.close();
    rows.unpersist();
  }

  private static EpochInput first() {
    TrainingConfig c = plan.config();
    return new EpochInput(1, plan.initialParams(), new float[c.spec().numParams() * c.optimizer().stateSlots()], 0);
  }

  private static EpochInput next(int epoch, List<PartitionUpdate> updates) {
    ParameterAverager.Averaged avg = ParameterAverager.average(updates);
    return new EpochInput(epoch, avg.params(), avg.state(), avg.steps());
  }

  /** A runner with one job per epoch. */
  private static SparkEpochRunner runner(BatchedDataset on, long inlineBytes) {
    return runner(on, inlineBytes, false, SparkEpochRunner.JOIN_TIMEOUT_MILLIS);
  }

  private static SparkEpochRunner runner(BatchedDataset on, long inlineBytes, boolean localLoop, long joinMillis) {
    String key = PluginConfig.LOCAL_EPOCH_LOOP.name();
    sc.setLocalProperty(key, Boolean.toString(localLoop));
    try {
      return new SparkEpochRunner(sc, on, plan.config(), "test-" + UUID.randomUUID(), DeviceSetting.CPU, inlineBytes,
          joinMillis);
    } finally {
      sc.setLocalProperty(key, null);
    }
  }

  /** Epoch 1's updates, from a runner with one job per epoch. */
  private static List<PartitionUpdate> epochOneWithAJobOfItsOwn() {
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES)) {
      return runner.runEpoch(first(), "epoch 1");
    }
  }

  /** The updates of epochs 1 to 3 (epoch 2 with an evaluation round after it) through {@code runner}. */
  private static List<List<PartitionUpdate>> threeEpochs(SparkEpochRunner runner) {
    List<PartitionUpdate> e1 = runner.runEpoch(first(), "epoch 1");
    List<PartitionUpdate> e2 = runner.runEpoch(next(2, e1), "epoch 2");
    ParameterAverager.Averaged avg = ParameterAverager.average(e2);
    List<PartitionUpdate> held = runner.runEpoch(EpochInput.evaluation(2, avg.params(), avg.state()), "validation");
    return List.of(e1, e2, held, runner.runEpoch(next(3, e2), "epoch 3"));
  }

  private static void assertSameUpdates(List<PartitionUpdate> expected, List<PartitionUpdate> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int p = 0; p < expected.size(); p++) {
      assertEquals(p, actual.get(p).partition(), what);
      assertArrayEquals(expected.get(p).params(), actual.get(p).params(), 0f, what + ": partition " + p);
      assertArrayEquals(expected.get(p).state(), actual.get(p).state(), 0f, what + ": partition " + p);
      assertEquals(expected.get(p).weightSum(), actual.get(p).weightSum(), 0.0, what);
      assertEquals(expected.get(p).lossSum(), actual.get(p).lossSum(), 0.0, what);
    }
  }

  private static int removeCachedBlocks(BatchedDataset on) {
    int id = on.cachedRecords().id();
    int removed = 0;
    for (int p = 0; p < on.cachedRecords().getNumPartitions(); p++) {
      RDDBlockId block = new RDDBlockId(id, p);
      if (SparkEnv.get().blockManager().getStatus(block).isDefined()) {
        SparkEnv.get().blockManager().removeBlock(block, true);
        removed++;
      }
    }
    return removed;
  }

  private static boolean allBlocksCached(BatchedDataset on) {
    int id = on.cachedRecords().id();
    for (int p = 0; p < on.cachedRecords().getNumPartitions(); p++) {
      if (SparkEnv.get().blockManager().getStatus(new RDDBlockId(id, p)).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aLostBlockIsRecomputedFromItsLineageAndTheEpochGivesTheSameUpdate() {
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES)) {
      List<PartitionUpdate> e1 = runner.runEpoch(first(), "epoch 1");
      EpochInput in2 = next(2, e1);
      List<PartitionUpdate> e2 = runner.runEpoch(in2, "epoch 2");
      assertEquals(3_000.0, e2.get(0).weightSum() + e2.get(1).weightSum(), 0.0, "every row trains once");

      List<String> since = epochAgainAfterLosingTheBlocks(runner, in2, e2);
      assertEquals(3, since.size(), "the failed epoch, the recompute, the epoch again: " + since);
      assertTrue(since.get(1).startsWith(RECOMPUTE + " [0, 1]"), since.toString());
    }
  }

  /**
   * As when an executor dies, removes the cached blocks and the partitions resident beside them, then runs epoch 2
   * again, which must give the update {@code e2} and cache the blocks again; returns the jobs it took.
   */
  private static List<String> epochAgainAfterLosingTheBlocks(SparkEpochRunner runner, EpochInput in2,
      List<PartitionUpdate> e2) {
    assertEquals(2, removeCachedBlocks(data), "blocks cached by the batching pass");
    ResidentDataCache.global().releaseFit(runner.fitId());
    int jobs = SparkActivity.jobs(spark.sparkContext());
    List<PartitionUpdate> again = runner.runEpoch(in2, "epoch 2 again");
    List<String> since = SparkActivity.descriptionsSince(spark.sparkContext(), jobs);
    assertSameUpdates(e2, again, "epoch 2 after losing the blocks");
    assertTrue(allBlocksCached(data), "the recomputed blocks are cached again");
    return since;
  }

  @Test
  void residentPartitionsNeedNoBlocks() {
    SparkContext ctx = spark.sparkContext();
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES)) {
      EpochInput in2 = next(2, runner.runEpoch(first(), "epoch 1"));
      List<PartitionUpdate> e2 = runner.runEpoch(in2, "epoch 2");
      removeCachedBlocks(data);
      int jobs = SparkActivity.jobs(ctx);
      List<PartitionUpdate> again = runner.runEpoch(in2, "epoch 2 again");
      List<String> since = SparkActivity.descriptionsSince(ctx, jobs);
      assertSameUpdates(e2, again, "epoch 2 on the resident partitions");
      assertEquals(List.of("epoch 2 again"), since, "no recompute while the partitions stay resident");
      assertFalse(allBlocksCached(data), "nothing read the blocks");
    } finally {
      data.cachedRecords().count(); // caches the blocks again for the other tests
    }
  }

  @Test
  void anInputGivesTheSameUpdateInsideTheTasksAndAsABroadcast() {
    assertTrue(SparkEpochRunner.sendsInline(new EpochInput(1, new float[16_384], new float[49_152], 0), 256 << 10));
    assertFalse(SparkEpochRunner.sendsInline(new EpochInput(1, new float[16_384], new float[49_153], 0), 256 << 10));
    try (SparkEpochRunner inline = runner(data, Long.MAX_VALUE);
        SparkEpochRunner broadcast = runner(data, 0)) {
      List<PartitionUpdate> a1 = inline.runEpoch(first(), "inline epoch 1");
      List<PartitionUpdate> b1 = broadcast.runEpoch(first(), "broadcast epoch 1");
      assertSameUpdates(a1, b1, "epoch 1");
      assertSameUpdates(inline.runEpoch(next(2, a1), "inline epoch 2"),
          broadcast.runEpoch(next(2, b1), "broadcast epoch 2"), "epoch 2");
    }
  }

  @Test
  void theLocalJobGivesTheUpdatesOfOneJobPerEpochBitForBitInOneJob() {
    assertTrue(SparkEpochRunner.runsLocalLoop(true, true, 2, 2));
    assertFalse(SparkEpochRunner.runsLocalLoop(false, true, 2, 2), "on a cluster");
    assertFalse(SparkEpochRunner.runsLocalLoop(true, false, 2, 2), "switched off");
    assertFalse(SparkEpochRunner.runsLocalLoop(true, true, 3, 2), "a partition without a task slot");
    List<List<PartitionUpdate>> perEpoch;
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES)) {
      perEpoch = threeEpochs(runner);
    }
    SparkContext ctx = spark.sparkContext();
    int jobs = SparkActivity.jobs(ctx);
    List<List<PartitionUpdate>> looped;
    String fit;
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES, true, 60_000)) {
      fit = runner.fitId();
      looped = threeEpochs(runner);
      assertNotNull(LocalEpochLoop.of(fit), "the epochs went through the fit's loop");
    }
    assertNull(LocalEpochLoop.of(fit), "closing the runner closes its loop");
    List<String> since = SparkActivity.descriptionsSince(ctx, jobs);
    assertEquals(1, since.size(), "one job for the three epochs and the evaluation: " + since);
    assertTrue(since.get(0).startsWith("epoch 1 (this and the later epochs of test-"), since.toString());
    for (int i = 0; i < perEpoch.size(); i++) {
      assertSameUpdates(perEpoch.get(i), looped.get(i), "round " + (i + 1));
    }
    assertEquals(perEpoch.get(2).get(0).validationLoss(), looped.get(2).get(0).validationLoss(), 0.0);
    SparkActivity.awaitIdle(ctx);
  }

  @Test
  void aBlockLostUnderTheLocalJobEndsItAndTheEpochIsRecomputedInAJobOfItsOwn() {
    SparkContext ctx = spark.sparkContext();
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES, true, 60_000)) {
      EpochInput in2 = next(2, runner.runEpoch(first(), "epoch 1"));
      List<PartitionUpdate> e2 = runner.runEpoch(in2, "epoch 2");
      // The local job (started before) fails on the missing blocks; they are recomputed, and the epoch runs again
      // as a job of its own.
      List<String> since = epochAgainAfterLosingTheBlocks(runner, in2, e2);
      assertEquals(2, since.size(), "the recompute, the epoch again: " + since);
      assertTrue(since.get(0).startsWith(RECOMPUTE + " [0, 1]"), since.toString());
      assertEquals("epoch 2 again", since.get(1));
      assertNull(LocalEpochLoop.of(runner.fitId()), "the loop ended with its job");
    }
    SparkActivity.awaitIdle(ctx);
  }

  @Test
  void whenATaskSlotIsHeldTheLocalJobGivesWayToAJobPerEpoch() throws Exception {
    SparkContext ctx = spark.sparkContext();
    List<PartitionUpdate> expected = epochOneWithAJobOfItsOwn();
    assertEquals(2, ctx.maxNumConcurrentTasks(ctx.resourceProfileManager().defaultResourceProfile()),
        "two task slots, one of which is held");
    SlotHolder.hold(sc);
    try (SparkEpochRunner runner = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES, true, 300)) {
      int jobs = SparkActivity.jobs(ctx);
      // One of the local job's two tasks starts, the other cannot: after 300 ms the runner ends the local job and
      // runs the epoch as a job of its own, whose second task starts once the slot is let go.
      Thread release = new Thread(() -> {
        SlotHolder.awaitJobs(ctx, jobs + 2);
        SlotHolder.release();
      });
      release.start();
      List<PartitionUpdate> got = runner.runEpoch(first(), "epoch 1 beside a held slot");
      release.join();
      assertSameUpdates(expected, got, "epoch 1");
      List<String> since = SparkActivity.descriptionsSince(ctx, jobs);
      assertEquals(2, since.size(), since.toString());
      assertTrue(since.get(0).startsWith("epoch 1 beside a held slot (this and the later epochs"), since.toString());
      assertEquals("epoch 1 beside a held slot", since.get(1));
    } finally {
      SlotHolder.release();
    }
    SparkActivity.awaitIdle(ctx);
  }

  @Test
  void aSecondFitWhoseTasksHaveNoSlotLeftRunsOneJobPerEpoch() throws Exception {
    SparkContext ctx = spark.sparkContext();
    List<PartitionUpdate> expected = epochOneWithAJobOfItsOwn();
    // As a CrossValidator's parallel fits: the first fit's local job holds both task slots until it is closed. The
    // second fit does not start a local job of its own (its tasks could not start); its epoch job waits for the
    // slots and runs once the first fit is closed.
    try (SparkEpochRunner second = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES, true, 60_000)) {
      int jobs;
      List<List<PartitionUpdate>> got = new ArrayList<>();
      Thread secondFit;
      try (SparkEpochRunner firstFit = runner(data, SparkEpochRunner.INLINE_INPUT_BYTES, true, 60_000)) {
        assertSameUpdates(expected, firstFit.runEpoch(first(), "first fit epoch 1"), "the first fit");
        jobs = SparkActivity.jobs(ctx);
        secondFit = new Thread(() -> got.add(second.runEpoch(first(), "second fit epoch 1")));
        secondFit.start();
        SlotHolder.awaitJobs(ctx, jobs + 1);
      }
      secondFit.join(60_000);
      assertEquals(1, got.size(), "the second fit's epoch ran");
      assertSameUpdates(expected, got.get(0), "the second fit");
      assertEquals(List.of("second fit epoch 1"), SparkActivity.descriptionsSince(ctx, jobs));
    }
    SparkActivity.awaitIdle(ctx);
  }

  @Test
  void aCoalescedPartitionTrainsOnEveryCachedPartitionItGroups() {
    BatchedDataset one = data.coalesce(1);
    assertArrayEquals(new int[] {0, 1}, one.cachedPartitionsOf(0));
    assertArrayEquals(new int[] {1}, data.cachedPartitionsOf(1));
    try (SparkEpochRunner runner = runner(one, SparkEpochRunner.INLINE_INPUT_BYTES)) {
      List<PartitionUpdate> e1 = runner.runEpoch(first(), "coalesced epoch 1");
      assertEquals(1, e1.size());
      assertEquals(3_000.0, e1.get(0).weightSum(), 0.0, "both cached partitions' rows");
      EpochInput in2 = next(2, e1);
      List<PartitionUpdate> e2 = runner.runEpoch(in2, "coalesced epoch 2");
      removeCachedBlocks(one);
      ResidentDataCache.global().releaseFit(runner.fitId());
      assertSameUpdates(e2, runner.runEpoch(in2, "coalesced epoch 2 again"), "after recomputing both blocks");
    }
  }

  /** Holds one local task slot with a job of one task, until released. */
  private static final class SlotHolder {
    private static volatile CountDownLatch started = new CountDownLatch(1);
    private static volatile CountDownLatch released = new CountDownLatch(1);
    private static Thread job;

    static void hold(JavaSparkContext sc) throws InterruptedException {
      started = new CountDownLatch(1);
      released = new CountDownLatch(1);
      job = new Thread(() -> sc.parallelize(List.of(1), 1).foreach(x -> {
        SlotHolder.started.countDown();
        SlotHolder.released.await(60, TimeUnit.SECONDS);
      }));
      job.start();
      assertTrue(started.await(60, TimeUnit.SECONDS), "the slot-holding task started");
    }

    static void awaitJobs(SparkContext ctx, int jobs) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (SparkActivity.jobs(ctx) < jobs && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    static void release() {
      released.countDown();
      try {
        Thread j = job;
        if (j != null && j != Thread.currentThread()) {
          j.join(60_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
