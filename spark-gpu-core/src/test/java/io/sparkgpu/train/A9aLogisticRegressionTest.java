package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.LibSvmReader;
import io.sparkgpu.testing.ReferenceNetwork;
import io.sparkgpu.testing.SharedData;
import io.sparkgpu.testing.Settings;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L2-regularised logistic regression on a9a (32,561 rows x 123 sparse features) reaches liblinear's optimum. liblinear
 * with C = 1 and no bias minimises ½‖w‖² + C·Σ log(1 + e^(−y·wᵀx)) to 10529.56 (shared/data/README.md); divided by
 * C·n this is mean log-loss + ½·λ‖w‖² with λ = 1/(C·n), the objective trained here. The objective is evaluated in
 * double precision from the trained parameters, mapped back to raw features.
 */
class A9aLogisticRegressionTest extends ArrowAllocatorFixture {
  private static final double LIBLINEAR_OPTIMUM = 10529.56;
  private static final int FEATURES = 123;
  private static HostBatch data;

  @BeforeAll
  static void read() throws IOException {
    data = LibSvmReader.read(SharedData.require("a9a/a9a.gz"), FEATURES, true);
    assertEquals(32_561, data.rows);
  }

  /** (1/n)·Σ log(1 + e^(−y'z)) + ½·λ·‖w‖², y' = ±1, i.e. softplus(z) − y·z for y in {0, 1}. */
  private static double objective(HostBatch data, double[] w, double bias, double lambda) {
    double loss = 0;
    for (int i = 0; i < data.rows; i++) {
      double z = bias;
      for (int p = data.rowPtr[i]; p < data.rowPtr[i + 1]; p++) {
        z += w[data.colIndices[p]] * data.values[p];
      }
      loss += ReferenceNetwork.softplus(z) - data.labels[i] * z;
    }
    double norm = 0;
    for (double v : w) {
      norm += v * v;
    }
    return loss / data.rows + 0.5 * lambda * norm;
  }

  @ParameterizedTest(name = "{0} partitions")
  @ValueSource(ints = {1, 2, 4})
  void adamReachesLiblinearsOptimumWithinHalfAPercent(int partitions) {
    int n = data.rows;
    double lambda = 1.0 / n;
    double optimum = LIBLINEAR_OPTIMUM / n; // 0.32338...
    TrainingSettings s = Settings.create().optimizer(OptimizerKind.ADAM).learningRate(0.05).batchSize(256)
        .epochs(20).schedule(LearningRateSchedule.COSINE).regParam(lambda).standardization(false)
        .fitIntercept(false).settings();
    try (CpuBackend cpu = new CpuBackend()) {
      List<EngineHarness.Partition> parts = EngineHarness.partition(data, partitions, LabelKind.CLASS_INDEX,
          64L << 20, allocator);
      FitPlan plan = FitPlan.linear(FitPlan.LinearKind.BINOMIAL, 2, EngineHarness.merged(parts), s, partitions);
      TrainingResult result = EngineHarness.fit(cpu, parts, plan.config(), plan.initialParams(), 0, FEATURES);
      NetworkSpec spec = plan.config().spec();
      double[] raw = plan.config().scaling().toRaw(spec, result.params());
      double[] w = new double[FEATURES];
      System.arraycopy(raw, spec.weightOffset(0), w, 0, FEATURES);
      double bias = raw[spec.biasOffset(0)];
      assertEquals(0.0, bias, "fitIntercept = false: no intercept");
      double f = objective(data, w, bias, lambda);
      assertTrue(f >= optimum * (1 - 1e-4), "objective " + f + " below the optimum " + optimum + ": miscomputed");
      assertTrue(f <= optimum * 1.005, partitions + " partitions: objective " + f + " is "
          + String.format("%.3f%%", 100 * (f / optimum - 1)) + " above liblinear's optimum " + optimum);
    }
  }
}
