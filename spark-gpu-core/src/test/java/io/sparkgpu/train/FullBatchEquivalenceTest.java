package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.ReferenceNetwork;
import io.sparkgpu.testing.Settings;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With SGD, a mini-batch larger than any partition, and no worker scaling of the step, one epoch is one full-batch
 * step per partition from the same parameters and momentum; the row-weighted average of those steps is exactly the
 * full-batch step over all rows (the gradient is linear in the rows, L2 adds the same l2·w everywhere). So 1, 2 and
 * 4 partitions must train the same parameters, equal to plain full-batch gradient descent computed here in double
 * precision. Tolerance: 1e-4·max(1, |w|) (float32 sums over 240 rows and 25 steps).
 */
class FullBatchEquivalenceTest extends ArrowAllocatorFixture {
  private static final int N = 240;
  private static final int D = 5;
  private static final int EPOCHS = 25;
  private static final double LR = 0.5;
  private static final double L2 = 0.05;

  /** Logistic data from a fixed model, weights in [0.5, 2] with row 7 of weight 0, labels 0/1. */
  private static HostBatch logisticData() {
    Random r = new Random(5);
    double[] beta = {1.0, -2.0, 0.5, 0.0, 1.5};
    float[] x = new float[N * D];
    double[] y = new double[N];
    double[] w = new double[N];
    for (int i = 0; i < N; i++) {
      double z = -0.3;
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) (r.nextGaussian() + (j == 3 ? 2 : 0));
        z += beta[j] * x[i * D + j];
      }
      y[i] = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      w[i] = i == 7 ? 0 : 0.5 + 1.5 * r.nextDouble();
    }
    return HostBatch.dense(N, D, x, y, w);
  }

  /** Parameters and per-epoch objectives of full-batch GD with momentum, in double precision. */
  private record Reference(double[] params, double[] history) {}

  private static Reference fullBatchGradientDescent(HostBatch data, double momentum) {
    int n = D + 1;
    double[] p = new double[n];
    double[] v = new double[n];
    double[] history = new double[EPOCHS];
    double totalWeight = 0;
    for (double w : data.weights) {
      totalWeight += w;
    }
    for (int e = 0; e < EPOCHS; e++) {
      double[] g = new double[n];
      double loss = 0;
      for (int i = 0; i < N; i++) {
        double z = p[D];
        for (int j = 0; j < D; j++) {
          z += p[j] * data.dense[i * D + j];
        }
        double wi = data.weights[i];
        loss += wi * (ReferenceNetwork.softplus(z) - data.labels[i] * z);
        double dz = wi * (1 / (1 + Math.exp(-z)) - data.labels[i]);
        for (int j = 0; j < D; j++) {
          g[j] += dz * data.dense[i * D + j];
        }
        g[D] += dz;
      }
      double penalty = 0;
      for (int j = 0; j < n; j++) {
        double l2 = j < D ? L2 : 0; // the intercept is not penalised
        g[j] = g[j] / totalWeight + l2 * p[j];
        v[j] = momentum * v[j] + g[j];
        p[j] -= LR * v[j];
        penalty += 0.5 * l2 * p[j] * p[j];
      }
      // the engine's objective: mean loss over the epoch's mini-batches (before the step) + penalty after it
      history[e] = loss / totalWeight + penalty;
    }
    return new Reference(p, history);
  }

  @ParameterizedTest(name = "momentum {0}")
  @ValueSource(doubles = {0.0, 0.9})
  void oneTwoAndFourPartitionsTrainLikeFullBatchGradientDescent(double momentum) {
    HostBatch data = logisticData();
    Reference ref = fullBatchGradientDescent(data, momentum);
    NetworkSpec spec = NetworkSpec.linear(D, 1, Loss.LOGISTIC);
    float[] l2 = new float[D + 1];
    for (int j = 0; j < D; j++) {
      l2[j] = (float) L2;
    }
    TrainingConfig config = Settings.create().optimizer(OptimizerKind.SGD).learningRate(LR).momentum(momentum)
        .batchSize(10_000).epochs(EPOCHS).schedule(LearningRateSchedule.CONSTANT)
        .config(spec, InputScaling.identity(D), l2, new float[D + 1], true);
    try (CpuBackend cpu = new CpuBackend()) {
      for (int p : new int[] {1, 2, 4}) {
        // 1 KiB batches: 28 rows each, so every partition is read from several Arrow batches
        List<EngineHarness.Partition> parts = EngineHarness.partition(data, p, LabelKind.CLASS_INDEX, 1024,
            allocator);
        TrainingResult result = EngineHarness.fit(cpu, parts, config, new float[D + 1], 0, D);
        assertEquals(EPOCHS, result.epochs());
        for (int i = 0; i <= D; i++) {
          double tol = 1e-4 * Math.max(1, Math.abs(ref.params()[i]));
          if (!(Math.abs(result.params()[i] - ref.params()[i]) <= tol)) {
            fail(p + " partitions, parameter " + i + ": " + result.params()[i] + " but full-batch GD gives "
                + ref.params()[i]);
          }
        }
        for (int e = 0; e < EPOCHS; e++) {
          assertEquals(ref.history()[e], result.objectiveHistory()[e], 1e-5 * ref.history()[e],
              p + " partitions, objective of epoch " + (e + 1));
        }
      }
    }
    assertTrue(ref.history()[EPOCHS - 1] < ref.history()[0], "the reference itself must make progress");
  }

  @ParameterizedTest(name = "momentum {0}")
  @ValueSource(doubles = {0.0, 0.9})
  void aPlannedRegressionAgreesAcrossPartitionCounts(double momentum) {
    // through FitPlan: standardised features, centred through the bias, standardised label, L2 on coefficients
    Random r = new Random(6);
    float[] x = new float[N * D];
    double[] y = new double[N];
    double[] w = new double[N];
    for (int i = 0; i < N; i++) {
      double t = 3;
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) (5 * j + (j + 1) * r.nextGaussian());
        t += (j - 2) * x[i * D + j];
      }
      y[i] = t + r.nextGaussian();
      w[i] = 0.5 + r.nextDouble();
    }
    HostBatch data = HostBatch.dense(N, D, x, y, w);
    TrainingSettings s = Settings.create().optimizer(OptimizerKind.SGD).learningRate(0.3).momentum(momentum)
        .batchSize(10_000).epochs(20).schedule(LearningRateSchedule.COSINE).regParam(0.1).settings();
    float[] single = null;
    try (CpuBackend cpu = new CpuBackend()) {
      for (int p : new int[] {1, 2, 4}) {
        List<EngineHarness.Partition> parts = EngineHarness.partition(data, p, LabelKind.REAL, 1024, allocator);
        float[] params = EngineHarness.fitLinear(cpu, parts, FitPlan.LinearKind.REGRESSION, 0, s, 0).params();
        if (single == null) {
          single = params;
          continue;
        }
        for (int i = 0; i < params.length; i++) {
          assertEquals(single[i], params[i], 1e-4 * Math.max(1, Math.abs(single[i])),
              p + " partitions vs 1, parameter " + i);
        }
      }
    }
  }
}
