package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.Settings;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The same seed and partitioning train bit-identical parameters; another seed trains different ones. */
class ReproducibilityTest extends ArrowAllocatorFixture {

  private static HostBatch data() {
    Random r = new Random(3);
    int n = 300;
    int d = 6;
    float[] x = new float[n * d];
    double[] y = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      double z = 0;
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) r.nextGaussian();
        z += (j % 2 == 0 ? 1 : -1) * x[i * d + j];
      }
      y[i] = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      w[i] = 1 + r.nextInt(3);
    }
    return HostBatch.dense(n, d, x, y, w);
  }

  private TrainingResult fit(HostBatch data, long seed) {
    TrainingSettings s = Settings.create().optimizer(OptimizerKind.ADAM).learningRate(0.05).batchSize(16).epochs(3)
        .schedule(LearningRateSchedule.COSINE).seed(seed).regParam(0.01).settings();
    try (CpuBackend cpu = new CpuBackend()) {
      // partitioned afresh each time: nothing is shared between the two fits but the inputs
      return EngineHarness.fitLinear(cpu, EngineHarness.partition(data, 3, LabelKind.CLASS_INDEX, 2048, allocator),
          FitPlan.LinearKind.BINOMIAL, 2, s, 0);
    }
  }

  @Test
  void sameSeedSameBits() {
    HostBatch data = data();
    TrainingResult a = fit(data, 11);
    TrainingResult b = fit(data, 11);
    assertArrayEquals(a.params(), b.params(), "parameters must be bit-identical");
    assertArrayEquals(a.objectiveHistory(), b.objectiveHistory());
    TrainingResult c = fit(data, 12);
    assertFalse(Arrays.equals(a.params(), c.params()), "the seed must change the mini-batch order");
  }
}
