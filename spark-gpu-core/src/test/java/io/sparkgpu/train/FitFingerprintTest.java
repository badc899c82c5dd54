package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.Settings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FitFingerprint}: the same plan on the same data gives the same fingerprint; a change of the maths (the
 * regularisation), of the shape, of the workers or of the data shows up as the field that differs.
 */
class FitFingerprintTest extends ArrowAllocatorFixture {

  private PartitionStatistics stats(int rows, double shift) {
    float[] x = new float[rows * 3];
    double[] y = new double[rows];
    double[] w = new double[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = (float) (Math.sin(i * 7 + j) + shift);
      }
      y[i] = i % 2;
      w[i] = 1;
    }
    return EngineHarness.merged(EngineHarness.partition(HostBatch.dense(rows, 3, x, y, w), 1,
        LabelKind.CLASS_INDEX, 4096, allocator));
  }

  private static FitFingerprint of(String estimator, PartitionStatistics stats, double regParam, int workers) {
    FitPlan plan = FitPlan.linear(FitPlan.LinearKind.BINOMIAL, 2, stats,
        Settings.create().regParam(regParam).settings(), workers);
    return FitFingerprint.of(estimator, plan.config(), plan.initialParams(), TrainingControls.tolerance(1e-6),
        workers, stats, new PartitionStatistics(-1));
  }

  @Test
  void sameFitSameFingerprintAndEachChangeIsNamed() {
    PartitionStatistics data = stats(50, 0);
    FitFingerprint a = of("LogisticRegression", data, 0.1, 2);
    assertEquals(a, of("LogisticRegression", stats(50, 0), 0.1, 2));
    assertEquals(List.of(), a.differences(of("LogisticRegression", stats(50, 0), 0.1, 2)));

    List<String> reg = a.differences(of("LogisticRegression", data, 0.2, 2));
    assertEquals(1, reg.size(), reg.toString());
    assertTrue(reg.get(0).startsWith("l2 ("), reg.toString());
    List<String> est = a.differences(of("LinearRegression", data, 0.1, 2));
    assertEquals(List.of("estimator (LinearRegression in the checkpoint, LogisticRegression in this fit)"), est);
    assertTrue(a.differences(of("LogisticRegression", data, 0.1, 3)).get(0).startsWith("numWorkers (3 in the "
        + "checkpoint, 2 in this fit)"));
    List<String> moved = a.differences(of("LogisticRegression", stats(50, 1), 0.1, 2));
    assertTrue(moved.stream().anyMatch(s -> s.startsWith("featureMeans")), moved.toString());
    List<String> fewer = a.differences(of("LogisticRegression", stats(40, 0), 0.1, 2));
    assertTrue(fewer.stream().anyMatch(s -> s.startsWith("rows (40 in the checkpoint, 50 in this fit)")),
        fewer.toString());
  }
}
