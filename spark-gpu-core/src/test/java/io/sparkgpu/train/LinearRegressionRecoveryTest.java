package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.Settings;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Linear regression through the whole engine (batching, standardisation, centring, label scaling, mini-batch Adam
 * over 2 partitions) recovers the weighted least-squares solution, computed here by normal equations in double
 * precision, in raw units ({@link InputScaling#toRaw} and the label transform undone). Tolerances are set from the
 * optimisation noise of mini-batch training (errors seen: ~3e-4 unweighted, ~1e-2 for the misspecified weighted
 * model) and are far below what a wrong weighting or scaling would give.
 */
class LinearRegressionRecoveryTest extends ArrowAllocatorFixture {
  private static final int N = 3000;
  private static final int D = 4;
  private static final double[] OFFSET = {3, -2, 0, 10};
  private static final double[] SCALE = {1, 5, 0.2, 2};
  private static final double[] B = {1.5, -0.7, 4.0, 0.25};
  private static final double C = 2.0;

  /** Solves A·x = b by Gaussian elimination with partial pivoting. */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][];
    double[] v = b.clone();
    for (int i = 0; i < n; i++) {
      m[i] = a[i].clone();
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int i = col + 1; i < n; i++) {
        if (Math.abs(m[i][col]) > Math.abs(m[pivot][col])) {
          pivot = i;
        }
      }
      double[] t = m[col];
      m[col] = m[pivot];
      m[pivot] = t;
      double tv = v[col];
      v[col] = v[pivot];
      v[pivot] = tv;
      for (int i = col + 1; i < n; i++) {
        double f = m[i][col] / m[col][col];
        for (int j = col; j < n; j++) {
          m[i][j] -= f * m[col][j];
        }
        v[i] -= f * v[col];
      }
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = v[i];
      for (int j = i + 1; j < n; j++) {
        s -= m[i][j] * x[j];
      }
      x[i] = s / m[i][i];
    }
    return x;
  }

  /** Weighted least squares with an intercept: (coefficients..., intercept), from the float features. */
  private static double[] leastSquares(HostBatch data) {
    int n = D + 1;
    double[][] xtx = new double[n][n];
    double[] xty = new double[n];
    for (int i = 0; i < data.rows; i++) {
      double[] row = new double[n];
      for (int j = 0; j < D; j++) {
        row[j] = data.dense[i * D + j];
      }
      row[D] = 1;
      double w = data.weights[i];
      for (int a = 0; a < n; a++) {
        xty[a] += w * row[a] * data.labels[i];
        for (int b = 0; b < n; b++) {
          xtx[a][b] += w * row[a] * row[b];
        }
      }
    }
    return solve(xtx, xty);
  }

  /** The trained model in raw units: (coefficients..., intercept). */
  private static double[] rawModel(FitPlan plan, float[] trained) {
    TrainingConfig c = plan.config();
    double[] raw = c.scaling().toRaw(c.spec(), trained);
    // the engine trains on (y - labelShift)·labelScale
    double[] out = new double[D + 1];
    for (int j = 0; j < D; j++) {
      out[j] = raw[c.spec().weightOffset(0) + j] / c.labelScale();
    }
    out[D] = raw[c.spec().biasOffset(0)] / c.labelScale() + c.labelShift();
    return out;
  }

  private double[] train(HostBatch data) {
    TrainingSettings s = Settings.create().optimizer(OptimizerKind.ADAM).learningRate(0.02).batchSize(64).epochs(30)
        .schedule(LearningRateSchedule.COSINE).settings();
    try (CpuBackend cpu = new CpuBackend()) {
      List<EngineHarness.Partition> parts = EngineHarness.partition(data, 2, LabelKind.REAL, 1 << 20, allocator);
      FitPlan plan = FitPlan.linear(FitPlan.LinearKind.REGRESSION, 0, EngineHarness.merged(parts), s, parts.size());
      TrainingResult r = EngineHarness.fit(cpu, parts, plan.config(), plan.initialParams(), 0, D);
      return rawModel(plan, r.params());
    }
  }

  private static void assertModel(double[] expected, double[] got, double tol, String what) {
    for (int j = 0; j <= D; j++) {
      assertEquals(expected[j], got[j], tol, what + (j < D ? " coefficient " + j : " intercept"));
    }
  }

  @Test
  void recoversTheLeastSquaresSolution() {
    Random r = new Random(8);
    float[] x = new float[N * D];
    double[] y = new double[N];
    double[] w = new double[N];
    for (int i = 0; i < N; i++) {
      double t = C;
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) (OFFSET[j] + SCALE[j] * r.nextGaussian());
        t += B[j] * x[i * D + j];
      }
      y[i] = t + 0.05 * r.nextGaussian();
      w[i] = 1;
    }
    HostBatch data = HostBatch.dense(N, D, x, y, w);
    double[] ls = leastSquares(data);
    double[] truth = {B[0], B[1], B[2], B[3], C};
    assertModel(truth, ls, 0.02, "least squares vs the generating model"); // sanity of the reference
    assertModel(ls, train(data), 2e-3, "trained vs least squares");
  }

  @Test
  void sampleWeightsWeighTheRows() {
    // two populations with different models; weights ~3:1 pull the solution towards the first. Features are near
    // zero here, so the intercept is not dominated by feature means
    double[] offset = {0.5, -0.3, 0, 1};
    double[] other = {-0.5, 0.3, 2.0, 1.0};
    Random r = new Random(9);
    float[] x = new float[N * D];
    double[] y = new double[N];
    double[] w = new double[N];
    double[] ones = new double[N];
    for (int i = 0; i < N; i++) {
      boolean first = i % 2 == 0;
      double t = first ? C : -1;
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) (offset[j] + SCALE[j] * r.nextGaussian());
        t += (first ? B[j] : other[j]) * x[i * D + j];
      }
      y[i] = t + 0.05 * r.nextGaussian();
      w[i] = first ? 2.5 + r.nextDouble() : 0.5 + r.nextDouble();
      ones[i] = 1;
    }
    HostBatch data = HostBatch.dense(N, D, x, y, w);
    double[] weighted = leastSquares(data);
    double[] unweighted = leastSquares(HostBatch.dense(N, D, x, y, ones));
    double tol = 0.02;
    for (int j = 0; j <= D; j++) {
      assertTrue(Math.abs(weighted[j] - unweighted[j]) > 5 * tol,
          "the weights must move every parameter for this test to mean anything (parameter " + j + ")");
    }
    assertModel(weighted, train(data), tol, "trained vs weighted least squares");
  }

  /**
   * The weighted mean of labels 1 (weight 3) and 0 (weight 1) in equal numbers is 0.75. With mini-batches of a few
   * rows, normalising each batch's gradient by its own weight sum would converge to Σ_b E[mean of b] instead:
   * for pairs, ¼·1 + ¼·0 + ½·0.75 = 0.625.
   */
  @ParameterizedTest(name = "{0}, batches of {1}")
  @CsvSource({"sgd, 2", "sgd, 8", "adam, 2", "adam, 8"})
  void smallMiniBatchesConvergeToTheWeightedOptimum(String optimizer, int batchSize) {
    int n = 2000;
    float[] x = new float[n]; // one feature, always 0: only the intercept learns
    double[] y = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2 == 0 ? 1 : 0;
      w[i] = i % 2 == 0 ? 3 : 1;
    }
    OptimizerKind kind = OptimizerKind.fromName(optimizer);
    TrainingConfig config = Settings.create().optimizer(kind).learningRate(kind == OptimizerKind.SGD ? 0.02 : 0.01)
        .batchSize(batchSize).epochs(20).schedule(LearningRateSchedule.COSINE)
        .config(NetworkSpec.linear(1, 1, Loss.SQUARED_ERROR), InputScaling.identity(1), new float[2], new float[2],
            true);
    try (CpuBackend cpu = new CpuBackend()) {
      List<EngineHarness.Partition> parts = EngineHarness.partition(HostBatch.dense(n, 1, x, y, w), 2,
          LabelKind.REAL, 1 << 20, allocator);
      float[] p = EngineHarness.fit(cpu, parts, config, new float[2], 0, 1).params();
      assertEquals(0.75, p[1], 0.005, "intercept = weighted mean of the labels");
    }
  }
}
