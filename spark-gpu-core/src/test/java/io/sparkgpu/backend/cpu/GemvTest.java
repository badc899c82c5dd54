package io.sparkgpu.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgpu.backend.DenseMatrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The matrix-vector kernels (both implementations, and the CPU backend's gemm that routes one-column products to
 * them) against a double-precision reference, on shapes with and without vector tails, offsets and beta.
 */
class GemvTest {
  private static final int[][] SHAPES = {{1, 1}, {3, 5}, {4, 16}, {7, 100}, {33, 123}, {1024, 100}, {5, 784}};

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  private static void check(Gemv g) {
    Random r = new Random(7);
    for (int[] s : SHAPES) {
      int m = s[0];
      int n = s[1];
      int aOff = 3;
      float[] a = random(r, aOff + m * n);
      float[] xRows = random(r, 2 + n);
      float[] xCols = random(r, 2 + m);
      for (float beta : new float[] {0f, 0.5f}) {
        float[] y = random(r, 1 + m);
        float[] expected = new float[m];
        for (int i = 0; i < m; i++) {
          double sum = 0;
          for (int j = 0; j < n; j++) {
            sum += (double) a[aOff + i * n + j] * xRows[2 + j];
          }
          expected[i] = (float) (1.5 * sum + (beta == 0f ? 0 : beta * y[1 + i]));
        }
        g.rows(m, n, 1.5f, a, aOff, n, xRows, 2, beta, y, 1);
        for (int i = 0; i < m; i++) {
          assertEquals(expected[i], y[1 + i], 1e-4 * (1 + Math.abs(expected[i])) * Math.sqrt(n),
              g.describe() + " rows " + m + "x" + n + " beta " + beta + " at " + i);
        }
        float[] yc = random(r, 1 + n);
        float[] expectedCols = new float[n];
        for (int j = 0; j < n; j++) {
          double sum = 0;
          for (int i = 0; i < m; i++) {
            sum += (double) a[aOff + i * n + j] * xCols[2 + i];
          }
          expectedCols[j] = (float) (-0.5 * sum + (beta == 0f ? 0 : beta * yc[1 + j]));
        }
        g.columns(m, n, -0.5f, a, aOff, n, xCols, 2, beta, yc, 1);
        for (int j = 0; j < n; j++) {
          assertEquals(expectedCols[j], yc[1 + j], 1e-4 * (1 + Math.abs(expectedCols[j])) * Math.sqrt(m),
              g.describe() + " columns " + m + "x" + n + " beta " + beta + " at " + j);
        }
      }
    }
  }

  @Test
  void scalarMatchesReference() {
    check(new ScalarGemv());
  }

  @Test
  void chosenImplementationMatchesReference() {
    check(Gemv.get()); // the Vector API one when the test JVM has jdk.incubator.vector (surefire adds it)
  }

  @Test
  void backendGemmWithOneColumnMatchesReference() {
    try (CpuBackend cpu = new CpuBackend()) {
      Random r = new Random(11);
      int m = 37;
      int k = 29;
      float[] x = random(r, m * k);
      float[] w = random(r, k);
      float[] g = random(r, m);
      DenseMatrix xm = cpu.upload(x, 0, m, k);
      DenseMatrix wm = cpu.upload(w, 0, k, 1);
      DenseMatrix gm = cpu.upload(g, 0, m, 1);
      DenseMatrix z = cpu.allocate(m, 1);
      DenseMatrix dw = cpu.allocate(k, 1);
      cpu.gemm(false, false, 1f, xm, wm, 0f, z);
      cpu.gemm(true, false, 2f, xm, gm, 0f, dw);
      float[] zOut = new float[m];
      float[] dwOut = new float[k];
      cpu.read(z, zOut, 0);
      cpu.read(dw, dwOut, 0);
      for (int i = 0; i < m; i++) {
        double s = 0;
        for (int j = 0; j < k; j++) {
          s += (double) x[i * k + j] * w[j];
        }
        assertEquals(s, zOut[i], 1e-4 * (1 + Math.abs(s)));
      }
      for (int j = 0; j < k; j++) {
        double s = 0;
        for (int i = 0; i < m; i++) {
          s += 2.0 * x[i * k + j] * g[i];
        }
        assertEquals(s, dwOut[j], 1e-4 * (1 + Math.abs(s)));
      }
    }
  }
}
