package io.sparkgpu.backend.cpu;

/** {@link Gemv} in plain Java: four rows at a time so that independent sums overlap. */
final class ScalarGemv extends Gemv {

  @Override
  String describe() {
    return "scalar";
  }

  @Override
  void rows(int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff, float beta, float[] y,
      int yOff) {
    int i = 0;
    for (; i + 3 < m; i += 4) {
      int r0 = aOff + i * lda;
      int r1 = r0 + lda;
      int r2 = r1 + lda;
      int r3 = r2 + lda;
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      for (int j = 0; j < n; j++) {
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
      float s = 0f;
      for (int j = 0; j < n; j++) {
        s += a[r + j] * x[xOff + j];
      }
      y[yOff + i] = combine(alpha, s, beta, y[yOff + i]);
    }
  }

  @Override
  void columns(int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff, float beta, float[] y,
      int yOff) {
    float[] acc = new float[n];
    for (int i = 0; i < m; i++) {
      float g = x[xOff + i];
      if (g == 0f) {
        continue;
      }
      int r = aOff + i * lda;
      for (int j = 0; j < n; j++) {
        acc[j] += g * a[r + j];
      }
    }
    for (int j = 0; j < n; j++) {
      y[yOff + j] = combine(alpha, acc[j], beta, y[yOff + j]);
    }
  }
}
