package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainingLoop} resuming from a {@link TrainingCheckpoint}: a fit interrupted after epoch k and started again
 * from the state saved after epoch k returns bit for bit the parameters and histories of the uninterrupted fit, with
 * Adam (state and step count carried), two partitions and two averaging rounds per epoch.
 */
class CheckpointResumeTest extends ArrowAllocatorFixture {
  private static final int EPOCHS = 6;

  /** Keeps checkpoints in memory, like {@link CheckpointStore} without files. */
  private static final class MemoryCheckpoints implements Checkpointer {
    final List<TrainingCheckpoint> saved = new ArrayList<>();
    final int interval;
    boolean finished;

    MemoryCheckpoints(int interval) {
      this.interval = interval;
    }

    @Override
    public TrainingCheckpoint latest() {
      return saved.isEmpty() ? null : saved.get(saved.size() - 1);
    }

    @Override
    public boolean wants(int epoch) {
      return epoch % interval == 0;
    }

    @Override
    public void save(TrainingCheckpoint checkpoint) {
      // through the codec, as a file would
      byte[] bytes = checkpoint.withFingerprint(new FitFingerprint(java.util.Map.of("fit", "test"))).encode();
      saved.add(TrainingCheckpoint.decode(bytes, "memory"));
    }

    @Override
    public void finished() {
      finished = true;
    }
  }

  /** Fails when asked for epoch {@code failAt}, like a driver or cluster dying mid-fit. */
  private static final class InterruptingRunner implements EpochRunner {
    private final EpochRunner inner;
    private final int failAt;
    final List<Integer> epochsRun = new ArrayList<>();

    InterruptingRunner(EpochRunner inner, int failAt) {
      this.inner = inner;
      this.failAt = failAt;
    }

    @Override
    public List<PartitionUpdate> runEpoch(EpochInput input, String description) {
      if (input.epoch() == failAt) {
        throw new IllegalStateException("interrupted before epoch " + failAt);
      }
      if (input.round() == 0) {
        epochsRun.add(input.epoch());
      }
      return inner.runEpoch(input, description);
    }

    @Override
    public String backendDescription() {
      return inner.backendDescription();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private static HostBatch data() {
    Random r = new Random(17);
    int n = 400;
    int d = 5;
    float[] x = new float[n * d];
    double[] y = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      double z = 0.3;
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) (r.nextGaussian() * (1 + j));
        z += (j % 2 == 0 ? 0.7 : -0.4) * x[i * d + j];
      }
      y[i] = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      w[i] = 1;
    }
    return HostBatch.dense(n, d, x, y, w);
  }

  private TrainingResult fit(CpuBackend cpu, List<EngineHarness.Partition> parts, Checkpointer checkpoints,
      int failAt, List<Integer> epochsRun) {
    PartitionStatistics stats = EngineHarness.merged(parts);
    TrainingSettings s = Settings.create().optimizer(OptimizerKind.ADAM).learningRate(0.05).batchSize(16)
        .epochs(EPOCHS).schedule(LearningRateSchedule.COSINE).seed(5).regParam(0.01).settings();
    FitPlan plan = FitPlan.linear(FitPlan.LinearKind.BINOMIAL, 2, stats, s, parts.size());
    List<PartitionTrainer> trainers = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      trainers.add(new PartitionTrainer(plan.config(), ResidentPartition.build(cpu, parts.get(i).batches(),
          stats.numFeatures(), plan.config().scaling(), plan.config().labelShift(), plan.config().labelScale(),
          plan.config().seed(), i, 1L << 30), i, parts.size()));
    }
    TrainingControls controls = new TrainingControls(0, 2, 0, false, TrainingControls.Metric.ACCURACY, 1.0);
    try (InterruptingRunner runner = new InterruptingRunner(new LocalEpochRunner(trainers), failAt)) {
      try {
        return TrainingLoop.fit("resume-test", plan.config(), plan.initialParams(), runner, controls, checkpoints);
      } finally {
        epochsRun.addAll(runner.epochsRun);
      }
    }
  }

  @Test
  void aResumedFitEqualsTheUninterruptedFitBitForBit() {
    try (CpuBackend cpu = new CpuBackend()) {
      List<EngineHarness.Partition> parts = EngineHarness.partition(data(), 2, LabelKind.CLASS_INDEX, 4096,
          allocator);
      TrainingResult clean = fit(cpu, parts, Checkpointer.NONE, -1, new ArrayList<>());

      MemoryCheckpoints store = new MemoryCheckpoints(2);
      List<Integer> firstRun = new ArrayList<>();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> fit(cpu, parts, store, 6, firstRun));
      assertTrue(e.getMessage().contains("interrupted before epoch 6"), e.getMessage());
      assertEquals(List.of(1, 2, 3, 4, 5), firstRun);
      assertEquals(List.of(2, 4), store.saved.stream().map(TrainingCheckpoint::epoch).toList());
      assertFalse(store.finished, "an interrupted fit keeps its checkpoints");

      List<Integer> secondRun = new ArrayList<>();
      TrainingResult resumed = fit(cpu, parts, store, -1, secondRun);
      assertEquals(List.of(5, 6), secondRun, "the resumed fit runs only the epochs after the checkpoint");
      assertTrue(store.finished, "a finished fit releases its checkpoints");
      assertArrayEquals(clean.params(), resumed.params(), "parameters must be bit-identical");
      assertArrayEquals(clean.objectiveHistory(), resumed.objectiveHistory());
      assertEquals(clean.epochs(), resumed.epochs());
      assertEquals(clean.rowsPerEpoch(), resumed.rowsPerEpoch());
    }
  }

  @Test
  void checkpointsRoundTripExactlyAndRefuseDamage() {
    float[] params = {1.5f, -0.0f, Float.MIN_VALUE};
    TrainingCheckpoint c = new TrainingCheckpoint(new FitFingerprint(java.util.Map.of("estimator", "X", "rows", "3")),
        2, params, new float[] {0.25f, 7f, 1e-30f, 3f, 4f, 5f}, 17.5, new double[] {0.9, 0.7},
        new double[] {0.1, 0.2}, new double[] {Double.NaN, 0.5}, new double[] {Double.NaN, 0.75}, 0.5, 2,
        new float[] {1f, 2f, 3f}, 400, false, false);
    byte[] bytes = c.encode();
    assertEquals(c, TrainingCheckpoint.decode(bytes, "here"));
    TrainingCheckpoint noBest = new TrainingCheckpoint(c.fingerprint(), 1, params, new float[0], 0,
        new double[] {1}, new double[] {1}, new double[] {Double.NaN}, new double[] {Double.NaN},
        Double.POSITIVE_INFINITY, 0, null, 3, false, false);
    assertNull(TrainingCheckpoint.decode(noBest.encode(), "here").bestParams());

    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 11);
    IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
        () -> TrainingCheckpoint.decode(truncated, "/ckpt/checkpoint-000002.bin"));
    assertTrue(t.getMessage().contains("/ckpt/checkpoint-000002.bin") && t.getMessage().contains("corrupt")
        && t.getMessage().contains("checkpointDir"), t.getMessage());
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
        () -> TrainingCheckpoint.decode(flipped, "f"));
    assertTrue(f.getMessage().contains("CRC-32"), f.getMessage());
    IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
        () -> TrainingCheckpoint.decode("{\"class\":\"something else\"}".getBytes(), "g"));
    assertTrue(g.getMessage().contains("not a spark-gpu checkpoint"), g.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.decode(new byte[3], "h"));
  }
}
