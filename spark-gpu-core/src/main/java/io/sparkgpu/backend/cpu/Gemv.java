package io.sparkgpu.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matrix-vector products for the GEMMs with one output column that linear models make per mini-batch (X·w forward,
 * Xᵀ·g for the gradient). BLAS sgemm pays for generality on these shapes; a row-major loop over X that keeps w or
 * the gradient accumulator in L1 runs at memory speed. Two implementations with the same semantics: the Vector API
 * one when the JVM has {@code jdk.incubator.vector} (Spark's launcher adds it), else plain loops. Stateless.
 */
abstract class Gemv {
  private static final Logger LOG = LoggerFactory.getLogger(Gemv.class);
  private static final Gemv INSTANCE = choose();

  static Gemv get() {
    return INSTANCE;
  }

  private static Gemv choose() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        Gemv g = (Gemv) Class.forName("io.sparkgpu.backend.cpu.VectorGemv").getDeclaredConstructor().newInstance();
        LOG.info("CPU backend: Vector API matrix-vector kernels ({})", g.describe());
        return g;
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.info("CPU backend: Vector API unavailable ({}); plain Java matrix-vector kernels", e.toString());
      }
    } else {
      LOG.info("CPU backend: jdk.incubator.vector not in the JVM (add --add-modules=jdk.incubator.vector); plain "
          + "Java matrix-vector kernels");
    }
    return new ScalarGemv();
  }

  abstract String describe();

  /**
   * y[yOff + i] := alpha·Σ_j a[aOff + i·lda + j]·x[xOff + j] + beta·y[yOff + i] for i < m, j < n
   * (beta = 0 ignores y's old value).
   */
  abstract void rows(int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff, float beta,
      float[] y, int yOff);

  /**
   * y[yOff + j] := alpha·Σ_i a[aOff + i·lda + j]·x[xOff + i] + beta·y[yOff + j] for i < m, j < n: the transposed
   * product, accumulated row by row (beta = 0 ignores y's old value).
   */
  abstract void columns(int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff, float beta,
      float[] y, int yOff);

  static float combine(float alpha, float sum, float beta, float old) {
    return beta == 0f ? alpha * sum : alpha * sum + beta * old;
  }
}
