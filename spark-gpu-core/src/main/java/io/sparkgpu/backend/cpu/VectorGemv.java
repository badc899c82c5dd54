package io.sparkgpu.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemv} with the Vector API (loaded only when the JVM has {@code jdk.incubator.vector}): fused multiply-adds
 * across a row, four rows at a time, with a scalar tail.
 */
final class VectorGemv extends Gemv {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  @Override
  String describe() {
    return S.toString();
  }

  @Override
  void rows(int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff, float beta, float[] y,
      int yOff) {
    int step = S.length();
    int vecEnd = n - n % step;
    int i = 0;
    for (; i + 3 < m; i += 4) {
      int r0 = aOff + i * lda;
      int r1 = r0 + lda;
      int r2 = r1 + lda;
      int r3 = r2 + lda;
      FloatVector v0 = FloatVector.zero(S);
      FloatVector v1 = FloatVector.zero(S);
      FloatVector v2 = FloatVector.zero(S);
      FloatVector v3 = FloatVector.zero(S);
      for (int j = 0; j < vecEnd; j += step) {
        FloatVector xj = FloatVector.fromArray(S, x, xOff + j);
        v0 = FloatVector.fromArray(S, a, r0 + j).fma(xj, v0);
        v1 = FloatVector.fromArray(S, a, r1 + j).fma(xj, v1);
        v2 = FloatVector.fromArray(S, a, r2 + j).fma(xj, v2);
        v3 = FloatVector.fromArray(S, a, r3 + j).fma(xj, v3);
      }
      float s0 = v0.reduceLanes(VectorOperators.ADD);
      float s1 = v1.reduceLanes(VectorOperators.ADD);
      float s2 = v2.reduceLanes(VectorOperators.ADD);
      float s3 = v3.reduceLanes(VectorOperators.ADD);
      for (int j = vecEnd; j < n; j++) {
        float xj = x[xOff + j];
        s0 += a[r0 + j] * xj;
        s1 += a[r1 + j] * xj;
        s2 += a[r2 + j] * xj;
        s3 += a[r3 + j] * xj;
      }
      y[yOff + i] = combine(alpha, s0, beta, y[yOff + i]);
      y[yOff + i + 1] = combine(alpha, s1, beta, y[yOff + i + 1]);
      y[yOff + i + 2] = combine(alpha, s2, beta, y[yOff + i + 2]);
      y[yOff + i + 3] = combine(alpha, s3, beta, y[yOff + i + 3]);
    }
    for (; i < m; i++) {
      int r = aOff + i * lda;
      FloatVector v = FloatVector.zero(S);
      for (int j = 0; j < vecEnd; j += step) {
        v = FloatVector.fromArray(S, a, r + j).fma(FloatVector.fromArray(S, x, xOff + j), v);
      }
      float s = v.reduceLanes(VectorOperators.ADD);
      for (int j = vecEnd; j < n; j++) {
        s += a[r + j] * x[xOff + j];
      }
      y[yOff + i] = combine(alpha, s, beta, y[yOff + i]);
    }
  }

  @Override
  void columns(int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff, float beta, float[] y,
      int yOff) {
    int step = S.length();
    int vecEnd = n - n % step;
    float[] acc = new float[n];
    int i = 0;
    for (; i + 3 < m; i += 4) {
      int r0 = aOff + i * lda;
      int r1 = r0 + lda;
      int r2 = r1 + lda;
      int r3 = r2 + lda;
      float g0 = x[xOff + i];
      float g1 = x[xOff + i + 1];
      float g2 = x[xOff + i + 2];
      float g3 = x[xOff + i + 3];
      FloatVector b0 = FloatVector.broadcast(S, g0);
      FloatVector b1 = FloatVector.broadcast(S, g1);
      FloatVector b2 = FloatVector.broadcast(S, g2);
      FloatVector b3 = FloatVector.broadcast(S, g3);
      for (int j = 0; j < vecEnd; j += step) {
        FloatVector s = FloatVector.fromArray(S, acc, j);
        s = FloatVector.fromArray(S, a, r0 + j).fma(b0, s);
        s = FloatVector.fromArray(S, a, r1 + j).fma(b1, s);
        s = FloatVector.fromArray(S, a, r2 + j).fma(b2, s);
        s = FloatVector.fromArray(S, a, r3 + j).fma(b3, s);
        s.intoArray(acc, j);
      }
      for (int j = vecEnd; j < n; j++) {
        acc[j] += g0 * a[r0 + j] + g1 * a[r1 + j] + g2 * a[r2 + j] + g3 * a[r3 + j];
      }
    }
    for (; i < m; i++) {
      int r = aOff + i * lda;
      float g = x[xOff + i];
      FloatVector b = FloatVector.broadcast(S, g);
      for (int j = 0; j < vecEnd; j += step) {
        FloatVector.fromArray(S, a, r + j).fma(b, FloatVector.fromArray(S, acc, j)).intoArray(acc, j);
      }
      for (int j = vecEnd; j < n; j++) {
        acc[j] += g * a[r + j];
      }
    }
    for (int j = 0; j < n; j++) {
      y[yOff + j] = combine(alpha, acc[j], beta, y[yOff + j]);
    }
  }
}
