package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ParameterAverager}: the weighted mean of the partitions' parameters and state, in double precision. */
class ParameterAveragerTest {

  private static PartitionUpdate update(int partition, float[] params, float[] state, double weight, double lossSum,
      double lossWeight, long rows, long steps) {
    return new PartitionUpdate(partition, params, state, weight, lossSum, lossWeight, rows, steps, 0.1);
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (10 * r.nextGaussian());
    }
    return a;
  }

  @Test
  void weightedMeanInDoublePrecision() {
    Random r = new Random(1);
    double[] w = {1.5, 3, 0.25};
    long[] steps = {10, 20, 3};
    List<PartitionUpdate> updates = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      updates.add(update(p, random(r, 7), random(r, 14), w[p], 2.0 * (p + 1), w[p], 100 + p, steps[p]));
    }
    ParameterAverager.Averaged avg = ParameterAverager.average(updates);
    double total = 1.5 + 3 + 0.25;
    for (int i = 0; i < 7; i++) {
      double expected = 0;
      for (int p = 0; p < 3; p++) {
        expected += w[p] * updates.get(p).params()[i];
      }
      expected /= total;
      assertEquals(expected, avg.params()[i], Math.ulp((float) expected), "parameter " + i);
    }
    for (int i = 0; i < 14; i++) {
      double expected = 0;
      for (int p = 0; p < 3; p++) {
        expected += w[p] * updates.get(p).state()[i];
      }
      expected /= total;
      assertEquals(expected, avg.state()[i], Math.ulp((float) expected), "state " + i);
    }
    assertEquals((1.5 * 10 + 3 * 20 + 0.25 * 3) / total, avg.steps(), 1e-12);
    assertEquals((2.0 + 4.0 + 6.0) / total, avg.meanLoss(), 1e-12, "Σ loss / Σ loss weight");
    assertEquals(303, avg.rows());
  }

  @Test
  void theOrderOfUpdatesDoesNotMatter() {
    Random r = new Random(2);
    List<PartitionUpdate> updates = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      updates.add(update(p, random(r, 33), random(r, 33), 0.1 + r.nextDouble() * 1000, r.nextDouble(), 1, 10, 5));
    }
    ParameterAverager.Averaged first = ParameterAverager.average(updates);
    for (int trial = 0; trial < 5; trial++) {
      List<PartitionUpdate> shuffled = new ArrayList<>(updates);
      Collections.shuffle(shuffled, r);
      ParameterAverager.Averaged again = ParameterAverager.average(shuffled);
      assertArrayEquals(first.params(), again.params(), "bit-identical whatever order the tasks finished in");
      assertArrayEquals(first.state(), again.state());
      assertEquals(first.meanLoss(), again.meanLoss());
      assertEquals(first.steps(), again.steps());
    }
  }

  @Test
  void zeroWeightPartitionsAreSkipped() {
    float[] p0 = {2f, 4f};
    float[] p2 = {4f, 8f};
    float[] nan = {Float.NaN, Float.POSITIVE_INFINITY};
    ParameterAverager.Averaged avg = ParameterAverager.average(List.of(
        update(0, p0, new float[] {1f, 1f}, 1, 1.0, 1, 10, 4),
        update(1, nan, nan, 0, 99, 0, 0, 0),
        update(2, p2, new float[] {3f, 3f}, 1, 3.0, 1, 20, 8)));
    assertArrayEquals(new float[] {3f, 6f}, avg.params());
    assertArrayEquals(new float[] {2f, 2f}, avg.state());
    assertEquals(6.0, avg.steps(), 1e-12);
    assertEquals(2.0, avg.meanLoss(), 1e-12);
    assertEquals(30, avg.rows());
  }

  @Test
  void mismatchedDimensionsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParameterAverager.average(
        List.of(update(0, new float[5], new float[5], 1, 0, 1, 1, 1),
            update(2, new float[4], new float[5], 1, 0, 1, 1, 1))));
    String m = e.getMessage();
    assertTrue(m.contains("Dimensions mismatch") && m.contains("partition 2") && m.contains("expecting 5")
        && m.contains("got 4"), m);
  }

  @Test
  void nothingToAverageIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ParameterAverager.average(List.of()));
    assertThrows(IllegalArgumentException.class, () -> ParameterAverager.average(
        List.of(update(0, new float[2], new float[2], 0, 0, 0, 0, 0))));
  }
}
