package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RowKernels}: the Vector API kernels (the test JVM has {@code jdk.incubator.vector}) and the plain ones
 * against a per-value reference written here, bit for bit, on random rows of every length around the vector width,
 * with zeros, negative values, unit and other weights, and each kind of out-of-range value at each position.
 */
class RowKernelsTest {
  private static final RowKernels[] KERNELS = {new ScalarRowKernels(), new VectorRowKernels()};

  @Test
  void theVectorKernelsAreChosenWhenTheModuleIsPresent() {
    assertTrue(RowKernels.get() instanceof VectorRowKernels, RowKernels.get().describe());
  }

  private static double[] row(Random r, int n) {
    double[] v = new double[n];
    for (int j = 0; j < n; j++) {
      double u = r.nextDouble();
      v[j] = u < 0.3 ? 0.0 : u < 0.35 ? -0.0 : (r.nextBoolean() ? -1 : 1) * Math.exp(20 * r.nextGaussian());
    }
    return v;
  }

  @Test
  void statisticsEqualThePerValueSumsBitForBit() {
    Random r = new Random(7);
    double[] weights = {1.0, 0.0, 2.5, 0.3, 1e-300, 1.0};
    for (int n = 1; n <= 70; n++) {
      double[] refSum = new double[n];
      double[] refSq = new double[n];
      long refNnz = 0;
      double[][] sums = new double[KERNELS.length][n];
      double[][] sqs = new double[KERNELS.length][n];
      long[] nnz = new long[KERNELS.length];
      for (int row = 0; row < 12; row++) {
        double[] v = row(r, n + 3); // longer than the row: values past n must be ignored
        double w = weights[row % weights.length];
        for (int j = 0; j < n; j++) {
          if (v[j] != 0.0) {
            refSum[j] += w * v[j];
            refSq[j] += w * v[j] * v[j];
            refNnz++;
          }
        }
        for (int k = 0; k < KERNELS.length; k++) {
          nnz[k] += KERNELS[k].addDense(v, n, w, sums[k], sqs[k]);
        }
      }
      for (int k = 0; k < KERNELS.length; k++) {
        String what = KERNELS[k].describe() + ", n = " + n;
        assertArrayEquals(refSum, sums[k], 0.0, what);
        assertArrayEquals(refSq, sqs[k], 0.0, what);
        assertEquals(refNnz, nnz[k], what);
        for (int j = 0; j < n; j++) { // signs of zeros too
          assertEquals(Double.doubleToRawLongBits(refSum[j]), Double.doubleToRawLongBits(sums[k][j]), what);
        }
      }
    }
  }

  @Test
  void conversionWritesEveryValueAndAcceptsOnlyFloatRange() {
    Random r = new Random(11);
    double[] bad = {Double.NaN, -Double.NaN, Double.longBitsToDouble(0xfff0000000000001L),
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e39, -1e39, Math.nextUp((double) Float.MAX_VALUE),
        -Math.nextUp((double) Float.MAX_VALUE), Double.MAX_VALUE};
    for (int n = 1; n <= 40; n++) {
      double[] v = row(r, n);
      for (int j = 0; j < n; j++) {
        v[j] = Math.max(-1e30, Math.min(1e30, v[j]));
      }
      v[r.nextInt(n)] = r.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE; // the bound itself is in range
      for (RowKernels k : KERNELS) {
        byte[] out = new byte[4 * n + 11];
        assertTrue(k.toFloat(v, n, out, 5), k.describe() + ", n = " + n);
        ByteBuffer written = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < n; j++) {
          assertEquals(Float.floatToRawIntBits((float) v[j]), written.getInt(5 + 4 * j), "value " + j);
        }
        for (int b : new int[] {0, 4, 4 * n + 5, 4 * n + 10}) {
          assertEquals(0, out[b], "byte " + b + " outside the values");
        }
      }
      for (double b : bad) {
        for (int at = 0; at < n; at++) {
          double[] w = v.clone();
          w[at] = b;
          for (RowKernels k : KERNELS) {
            assertFalse(k.toFloat(w, n, new byte[4 * n], 0), k.describe() + ": " + b + " at " + at + " of " + n);
          }
        }
      }
    }
  }
}
