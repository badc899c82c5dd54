package io.sparkgpu.backend.cpu;

import java.util.Arrays;

/** {@link LinearKernel} in plain Java: four rows at a time, so that their dot products and updates overlap. */
final class ScalarLinearKernel extends LinearKernel {

  @Override
  String describe() {
    return "scalar";
  }

  @Override
  double dense(boolean logistic, float[] x, int xOff, int rows, int d, float[] labels, int yOff, float[] weights,
      int wtOff, float[] p, int pOff, float bias, float gradScale, float[] g, int gOff) {
    Arrays.fill(g, gOff, gOff + d, 0f);
    float[] gr = new float[4];
    double total = 0;
    double gSum = 0;
    int i = 0;
    for (; i + 3 < rows; i += 4) {
      int r0 = xOff + i * d;
      int r1 = r0 + d;
      int r2 = r1 + d;
      int r3 = r2 + d;
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      for (int j = 0; j < d; j++) {
        float pj = p[pOff + j];
        s0 += x[r0 + j] * pj;
        s1 += x[r1 + j] * pj;
        s2 += x[r2 + j] * pj;
        s3 += x[r3 + j] * pj;
      }
      total += rows4(logistic, s0 + bias, s1 + bias, s2 + bias, s3 + bias, labels, yOff + i, weights, wtOff + i,
          gradScale, gr);
      float g0 = gr[0];
      float g1 = gr[1];
      float g2 = gr[2];
      float g3 = gr[3];
      gSum += g0;
      gSum += g1;
      gSum += g2;
      gSum += g3;
      for (int j = 0; j < d; j++) {
        g[gOff + j] += g0 * x[r0 + j] + g1 * x[r1 + j] + g2 * x[r2 + j] + g3 * x[r3 + j];
      }
    }
    for (; i < rows; i++) {
      int r = xOff + i * d;
      float s = 0f;
      for (int j = 0; j < d; j++) {
        s += x[r + j] * p[pOff + j];
      }
      total += row(logistic, s + bias, labels[yOff + i], weights[wtOff + i], gradScale, gr, 0);
      float gi = gr[0];
      gSum += gi;
      for (int j = 0; j < d; j++) {
        g[gOff + j] += gi * x[r + j];
      }
    }
    g[gOff + d] = (float) gSum;
    return total;
  }
}
