package io.sparkgpu.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LinearKernel} with the Vector API (loaded only when the JVM has {@code jdk.incubator.vector}): four rows
 * at a time, their dot products as in {@link VectorGemv#rows} and their gradient updates as in
 * {@link VectorGemv#columns}, so the sums round the same way as the two separate passes.
 */
final class VectorLinearKernel extends LinearKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  @Override
  String describe() {
    return S.toString();
  }

  @Override
  double dense(boolean logistic, float[] x, int xOff, int rows, int d, float[] labels, int yOff, float[] weights,
      int wtOff, float[] p, int pOff, float bias, float gradScale, float[] g, int gOff) {
    int step = S.length();
    int vecEnd = d - d % step;
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
      FloatVector v0 = FloatVector.zero(S);
      FloatVector v1 = FloatVector.zero(S);
      FloatVector v2 = FloatVector.zero(S);
      FloatVector v3 = FloatVector.zero(S);
      for (int j = 0; j < vecEnd; j += step) {
        FloatVector pj = FloatVector.fromArray(S, p, pOff + j);
        v0 = FloatVector.fromArray(S, x, r0 + j).fma(pj, v0);
        v1 = FloatVector.fromArray(S, x, r1 + j).fma(pj, v1);
        v2 = FloatVector.fromArray(S, x, r2 + j).fma(pj, v2);
        v3 = FloatVector.fromArray(S, x, r3 + j).fma(pj, v3);
      }
      float s0 = v0.reduceLanes(VectorOperators.ADD);
      float s1 = v1.reduceLanes(VectorOperators.ADD);
      float s2 = v2.reduceLanes(VectorOperators.ADD);
      float s3 = v3.reduceLanes(VectorOperators.ADD);
      for (int j = vecEnd; j < d; j++) {
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
      FloatVector b0 = FloatVector.broadcast(S, g0);
      FloatVector b1 = FloatVector.broadcast(S, g1);
      FloatVector b2 = FloatVector.broadcast(S, g2);
      FloatVector b3 = FloatVector.broadcast(S, g3);
      for (int j = 0; j < vecEnd; j += step) {
        FloatVector s = FloatVector.fromArray(S, g, gOff + j);
        s = FloatVector.fromArray(S, x, r0 + j).fma(b0, s);
        s = FloatVector.fromArray(S, x, r1 + j).fma(b1, s);
        s = FloatVector.fromArray(S, x, r2 + j).fma(b2, s);
        s = FloatVector.fromArray(S, x, r3 + j).fma(b3, s);
        s.intoArray(g, gOff + j);
      }
      for (int j = vecEnd; j < d; j++) {
        g[gOff + j] += g0 * x[r0 + j] + g1 * x[r1 + j] + g2 * x[r2 + j] + g3 * x[r3 + j];
      }
    }
    for (; i < rows; i++) {
      int r = xOff + i * d;
      FloatVector v = FloatVector.zero(S);
      for (int j = 0; j < vecEnd; j += step) {
        v = FloatVector.fromArray(S, x, r + j).fma(FloatVector.fromArray(S, p, pOff + j), v);
      }
      float s = v.reduceLanes(VectorOperators.ADD);
      for (int j = vecEnd; j < d; j++) {
        s += x[r + j] * p[pOff + j];
      }
      total += row(logistic, s + bias, labels[yOff + i], weights[wtOff + i], gradScale, gr, 0);
      float gi = gr[0];
      gSum += gi;
      FloatVector b = FloatVector.broadcast(S, gi);
      for (int j = 0; j < vecEnd; j += step) {
        FloatVector.fromArray(S, x, r + j).fma(b, FloatVector.fromArray(S, g, gOff + j)).intoArray(g, gOff + j);
      }
      for (int j = vecEnd; j < d; j++) {
        g[gOff + j] += gi * x[r + j];
      }
    }
    g[gOff + d] = (float) gSum;
    return total;
  }
}
