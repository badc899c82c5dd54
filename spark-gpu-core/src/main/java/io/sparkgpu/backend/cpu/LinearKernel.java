package io.sparkgpu.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over a mini-batch of a model with no hidden layer and one output (linear or binary logistic regression):
 * for each row, z = x·w + bias, the loss and its gradient g at z, and the weight gradient Σ g·x, while the row is in
 * L1 cache, so the features stream from memory once per epoch instead of twice (X·w, then Xᵀ·g). Two dense
 * implementations, chosen as {@link Gemv}'s are: the Vector API one when the JVM has {@code jdk.incubator.vector}
 * (per-row loss and gradient in float, see {@link VectorLinearKernel}), else plain loops (in double, as
 * {@link #row}); sparse rows share one plain loop, also in double. Stateless.
 */
abstract class LinearKernel {
  private static final Logger LOG = LoggerFactory.getLogger(LinearKernel.class);
  private static final LinearKernel INSTANCE = choose();

  static LinearKernel get() {
    return INSTANCE;
  }

  private static LinearKernel choose() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        LinearKernel k = (LinearKernel) Class.forName("io.sparkgpu.backend.cpu.VectorLinearKernel")
            .getDeclaredConstructor().newInstance();
        LOG.info("CPU backend: Vector API fused linear-model kernel ({})", k.describe());
        return k;
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.info("CPU backend: Vector API unavailable ({}); plain Java fused linear-model kernel", e.toString());
      }
    }
    return new ScalarLinearKernel();
  }

  abstract String describe();

  /**
   * Dense rows x d features at {@code x[xOff]} (row stride d), weights w at {@code p[pOff]}: writes
   * {@code g[gOff + j] := Σ_i g_i·x[i, j]} for j < d and {@code g[gOff + d] := Σ_i g_i} (summed in double), where
   * g_i = gradScale·weight_i·∂l/∂z at z_i = x_i·w + bias; returns Σ_i weight_i·l(z_i, y_i).
   */
  abstract double dense(boolean logistic, float[] x, int xOff, int rows, int d, float[] labels, int yOff,
      float[] weights, int wtOff, float[] p, int pOff, float bias, float gradScale, float[] g, int gOff);

  /** {@link #dense} for CSR rows {@code [firstRow, firstRow + rows)} (row pointers index the value arrays). */
  final double sparse(boolean logistic, int[] rowPtr, int[] colIndices, float[] values, int firstRow, int rows,
      int d, float[] labels, int yOff, float[] weights, int wtOff, float[] p, int pOff, float bias, float gradScale,
      float[] g, int gOff) {
    java.util.Arrays.fill(g, gOff, gOff + d, 0f);
    float[] gr = new float[1];
    double total = 0;
    double gSum = 0;
    for (int i = 0; i < rows; i++) {
      int r = firstRow + i;
      int end = rowPtr[r + 1];
      float s = 0f;
      for (int q = rowPtr[r]; q < end; q++) {
        s += values[q] * p[pOff + colIndices[q]];
      }
      total += row(logistic, s + bias, labels[yOff + i], weights[wtOff + i], gradScale, gr, 0);
      float gi = gr[0];
      gSum += gi;
      if (gi != 0f) {
        for (int q = rowPtr[r]; q < end; q++) {
          g[gOff + colIndices[q]] += values[q] * gi;
        }
      }
    }
    g[gOff + d] = (float) gSum;
    return total;
  }

  /**
   * One row's weighted loss w·l(z, y) (returned, double precision) and gradient gradScale·w·∂l/∂z (stored in
   * {@code grad[at]}, rounded to float once), as {@code CpuBackend.lossAndGradient} computes them but with one
   * division and no {@link Math#log1p} (StrictMath's, not an intrinsic, as slow as the rest of the row): with
   * e = exp(-|z|) and u = 1 + e rounded, log(1 + e) = log(u) + (e - (u - 1))/u to within an ulp (the second term
   * undoes the rounding of u; u - 1 is exact for e in [0, 1]), and 1/u also gives the sigmoid.
   */
  static double row(boolean logistic, float z, float y, float w, float gradScale, float[] grad, int at) {
    double zi = z;
    if (logistic) {
      double e = Math.exp(-Math.abs(zi));
      double u = 1.0 + e;
      double inv = 1.0 / u;
      double sigmoid = zi >= 0 ? inv : e * inv;
      grad[at] = (float) (gradScale * w * (sigmoid - y));
      // max(z, 0) - y·z first: it is exactly 0 for a saturated right answer, whose loss is then log(1 + e) in full
      return w * ((zi > 0 ? zi : 0.0) - y * zi + (Math.log(u) + (e - (u - 1.0)) * inv));
    }
    double r = zi - y;
    grad[at] = (float) (gradScale * w * r);
    return w * 0.5 * r * r;
  }

  /**
   * {@link #row} for four rows at once, their gradients into {@code grad[0..3]}: the same values, except that the
   * logistic loss of four rows of equal weight (unit weights, the common case) takes one logarithm instead of four.
   * Σ log(u_k) = log(Π u_k), with the product's rounding carried exactly by FMA and added back to first order, so
   * the sum stays within a few ulps of the four separate logarithms, saturated rows included.
   */
  static double rows4(boolean logistic, float z0, float z1, float z2, float z3, float[] labels, int yOff,
      float[] weights, int wtOff, float gradScale, float[] grad) {
    float w0 = weights[wtOff];
    float w1 = weights[wtOff + 1];
    float w2 = weights[wtOff + 2];
    float w3 = weights[wtOff + 3];
    if (!logistic || w0 != w1 || w0 != w2 || w0 != w3) {
      return row(logistic, z0, labels[yOff], w0, gradScale, grad, 0)
          + row(logistic, z1, labels[yOff + 1], w1, gradScale, grad, 1)
          + row(logistic, z2, labels[yOff + 2], w2, gradScale, grad, 2)
          + row(logistic, z3, labels[yOff + 3], w3, gradScale, grad, 3);
    }
    double e0 = Math.exp(-Math.abs((double) z0));
    double e1 = Math.exp(-Math.abs((double) z1));
    double e2 = Math.exp(-Math.abs((double) z2));
    double e3 = Math.exp(-Math.abs((double) z3));
    double u0 = 1.0 + e0;
    double u1 = 1.0 + e1;
    double u2 = 1.0 + e2;
    double u3 = 1.0 + e3;
    float scale = gradScale * w0;
    double linear = partial(z0, labels[yOff], e0, u0, scale, grad, 0)
        + partial(z1, labels[yOff + 1], e1, u1, scale, grad, 1)
        + partial(z2, labels[yOff + 2], e2, u2, scale, grad, 2)
        + partial(z3, labels[yOff + 3], e3, u3, scale, grad, 3);
    double p01 = u0 * u1;
    double p23 = u2 * u3;
    double p = p01 * p23;
    // p·(1 + err/p) is the exact product of the u_k (to second order in the roundings).
    double err = Math.fma(p01, p23, -p) + Math.fma(u0, u1, -p01) * p23 + Math.fma(u2, u3, -p23) * p01;
    return w0 * (linear + Math.log(p) + err / p);
  }

  /**
   * One row of {@link #rows4}'s shared-log case: stores the gradient and returns its loss without log(u):
   * max(z, 0) - y·z plus the correction (e - (u - 1))/u of u's rounding (see {@link #row}).
   */
  private static double partial(float z, float y, double e, double u, float scale, float[] grad, int at) {
    double zi = z;
    double inv = 1.0 / u;
    double sigmoid = zi >= 0 ? inv : e * inv;
    grad[at] = (float) (scale * (sigmoid - y));
    return (zi > 0 ? zi : 0.0) - y * zi + (e - (u - 1.0)) * inv;
  }
}
