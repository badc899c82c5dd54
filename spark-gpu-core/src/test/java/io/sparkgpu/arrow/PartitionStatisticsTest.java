package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionStatistics} as gathered by {@link ArrowBatchWriter}: weighted means and standard deviations
 * (MLlib's unbiased correction: Σw(x - mean)² / (Σw - Σw²/Σw)) against a direct two-pass computation, and merging.
 */
class PartitionStatisticsTest extends ArrowAllocatorFixture {
  private static final double REL = 1e-10;

  /** Rows of a seeded data set: roughly a third of the features zero, weights in [0, 3) with some exactly 0. */
  private record Data(double[][] x, double[] y, double[] w) {}

  private static Data data(long seed, int n, int d, boolean classes) {
    Random r = new Random(seed);
    double[][] x = new double[n][d];
    double[] y = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = r.nextDouble() < 0.35 ? 0 : 10 * j + (j + 1) * r.nextGaussian();
      }
      y[i] = classes ? r.nextInt(3) : 5 + 2 * r.nextGaussian();
      w[i] = i % 17 == 0 ? 0 : 3 * r.nextDouble();
    }
    return new Data(x, y, w);
  }

  /** Writes rows [from, to) through a writer of partition {@code p}, alternating dense and sparse rows. */
  private PartitionStatistics write(Data data, int from, int to, int p, LabelKind kind) {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, new BatchingOptions("f", "y", "w", kind, 4096), p);
    for (int i = from; i < to; i++) {
      double[] row = data.x()[i];
      if (i % 2 == 0) {
        writer.appendDense(row, data.y()[i], data.w()[i]);
      } else {
        int[] idx = new int[row.length];
        double[] val = new double[row.length];
        int nnz = 0;
        for (int j = 0; j < row.length; j++) {
          if (row[j] != 0) {
            idx[nnz] = j;
            val[nnz++] = row[j];
          }
        }
        writer.appendSparse(row.length, idx, val, nnz, data.y()[i], data.w()[i]);
      }
      if (writer.isFull()) {
        writer.flush();
      }
    }
    writer.flush();
    return writer.statistics();
  }

  private static double weightedMean(double[] v, double[] w) {
    double sw = 0;
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      sw += w[i];
      s += w[i] * v[i];
    }
    return s / sw;
  }

  /** Two passes: the mean, then Σw(x - mean)² over Σw - Σw²/Σw. */
  private static double weightedStd(double[] v, double[] w) {
    double mean = weightedMean(v, w);
    double sw = 0;
    double sw2 = 0;
    double m2 = 0;
    for (int i = 0; i < v.length; i++) {
      sw += w[i];
      sw2 += w[i] * w[i];
      m2 += w[i] * (v[i] - mean) * (v[i] - mean);
    }
    return Math.sqrt(m2 / (sw - sw2 / sw));
  }

  private static double[] column(double[][] x, int j) {
    double[] c = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      c[i] = x[i][j];
    }
    return c;
  }

  private static void assertRel(double expected, double actual, String what) {
    assertEquals(expected, actual, REL * Math.max(1, Math.abs(expected)), what);
  }

  @Test
  void weightedMeansAndStdsMatchATwoPassComputation() {
    int n = 300;
    int d = 6;
    Data data = data(1, n, d, false);
    PartitionStatistics s = write(data, 0, n, 0, LabelKind.REAL);
    assertEquals(n, s.rows());
    assertEquals(d, s.numFeatures());
    double sw = 0;
    long nnz = 0;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      sw += data.w()[i];
      yMin = Math.min(yMin, data.y()[i]);
      yMax = Math.max(yMax, data.y()[i]);
      for (int j = 0; j < d; j++) {
        nnz += data.x()[i][j] != 0 ? 1 : 0;
      }
    }
    assertRel(sw, s.weightSum(), "weight sum");
    assertEquals(nnz, s.nonZeros());
    assertTrue(s.anySparse());
    assertEquals(yMin, s.labelMin());
    assertEquals(yMax, s.labelMax());
    double[] mean = s.featureMeans();
    double[] std = s.featureStds();
    for (int j = 0; j < d; j++) {
      double[] c = column(data.x(), j);
      assertRel(weightedMean(c, data.w()), mean[j], "mean of feature " + j);
      assertRel(weightedStd(c, data.w()), std[j], "std of feature " + j);
    }
    assertRel(weightedMean(data.y(), data.w()), s.labelMean(), "label mean");
    assertRel(weightedStd(data.y(), data.w()), s.labelStd(), "label std");
    assertTrue(s.classWeights().isEmpty(), "real labels have no class weights");
  }

  @Test
  void smallCasesByHand() {
    // unit weights: the sample standard deviation, n - 1 in the denominator
    Data unit = new Data(new double[][] {{1}, {2}, {3}, {4}}, new double[] {0, 0, 0, 0}, new double[] {1, 1, 1, 1});
    PartitionStatistics s = write(unit, 0, 4, 0, LabelKind.REAL);
    assertEquals(2.5, s.featureMeans()[0], 1e-15);
    assertEquals(Math.sqrt(5.0 / 3.0), s.featureStds()[0], 1e-15);
    assertEquals(0.0, s.labelStd(), "a constant label has std 0");
    // values 0 and 2 with weights 1 and 3: mean 1.5, Σw(x - m)² = 2.25 + 0.75 = 3, Σw - Σw²/Σw = 4 - 10/4 = 1.5
    Data weighted = new Data(new double[][] {{0}, {2}}, new double[] {0, 1}, new double[] {1, 3});
    PartitionStatistics t = write(weighted, 0, 2, 0, LabelKind.REAL);
    assertEquals(1.5, t.featureMeans()[0], 1e-15);
    assertEquals(Math.sqrt(2.0), t.featureStds()[0], 1e-15);
    // a single row (or all weight on one row) has no spread: std 0, not NaN
    Data one = new Data(new double[][] {{5}}, new double[] {1}, new double[] {2});
    assertEquals(0.0, write(one, 0, 1, 0, LabelKind.REAL).featureStds()[0]);
  }

  @Test
  void mergingPartitionsEqualsOnePass() {
    int n = 301;
    int d = 5;
    Data data = data(2, n, d, true);
    PartitionStatistics single = write(data, 0, n, 0, LabelKind.CLASS_INDEX);
    PartitionStatistics merged = new PartitionStatistics(-1);
    int[] cuts = {0, 40, 41, 190, n};
    long batches = 0;
    for (int p = 0; p + 1 < cuts.length; p++) {
      PartitionStatistics part = write(data, cuts[p], cuts[p + 1], p, LabelKind.CLASS_INDEX);
      batches += part.batches();
      assertSame(merged, merged.merge(part));
    }
    assertSame(merged, merged.merge(new PartitionStatistics(9)), "an empty partition changes nothing");
    assertEquals(single.rows(), merged.rows());
    assertEquals(single.nonZeros(), merged.nonZeros());
    assertEquals(single.numFeatures(), merged.numFeatures());
    assertEquals(single.anySparse(), merged.anySparse());
    assertEquals(single.labelMin(), merged.labelMin());
    assertEquals(single.labelMax(), merged.labelMax());
    assertEquals(batches, merged.batches());
    assertRel(single.weightSum(), merged.weightSum(), "weight sum");
    assertRel(single.labelMean(), merged.labelMean(), "label mean");
    assertRel(single.labelStd(), merged.labelStd(), "label std");
    for (int j = 0; j < d; j++) {
      assertRel(single.featureMeans()[j], merged.featureMeans()[j], "mean " + j);
      assertRel(single.featureStds()[j], merged.featureStds()[j], "std " + j);
    }
    // class weights against a direct count
    Map<Integer, Double> expected = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      expected.merge((int) data.y()[i], data.w()[i], Double::sum);
    }
    Map<Integer, Double> got = merged.classWeights();
    assertEquals(expected.keySet(), got.keySet());
    for (int c : expected.keySet()) {
      assertRel(expected.get(c), got.get(c), "weight of class " + c);
    }
  }

  @Test
  void mergingPartitionsOfDifferentWidthsIsRefused() {
    Data three = data(3, 4, 3, false);
    Data four = data(4, 4, 4, false);
    PartitionStatistics a = write(three, 0, 4, 0, LabelKind.REAL);
    PartitionStatistics b = write(four, 0, 4, 5, LabelKind.REAL);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4 in partition 5"), e.getMessage());
  }
}
