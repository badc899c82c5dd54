package io.sparkgpu.arrow;

/** {@link RowKernels} in plain Java loops. */
final class ScalarRowKernels extends RowKernels {
  @Override
  String describe() {
    return "scalar";
  }

  @Override
  boolean toFloat(double[] src, int n, byte[] dst, int at) {
    return toFloatScalar(src, 0, n, dst, at);
  }

  /** {@link #toFloat} over {@code [from, n)}: also the vector kernels' tail. */
  static boolean toFloatScalar(double[] src, int from, int n, byte[] dst, int at) {
    boolean inRange = true;
    for (int j = from; j < n; j++) {
      double v = src[j];
      inRange &= Math.abs(v) <= Float.MAX_VALUE; // false for NaN too
      FLOAT_LE.set(dst, at + 4 * j, (float) v);
    }
    return inRange;
  }

  @Override
  long addDense(double[] v, int n, double w, double[] sum, double[] sq) {
    return addDenseScalar(v, 0, n, w, sum, sq);
  }

  /** {@link #addDense} over {@code [from, n)}: also the vector kernels' tail. */
  static long addDenseScalar(double[] v, int from, int n, double w, double[] sum, double[] sq) {
    long nnz = 0;
    if (w == 1.0) {
      for (int j = from; j < n; j++) {
        double x = v[j];
        sum[j] += x;
        sq[j] += x * x;
        nnz += x != 0.0 ? 1 : 0;
      }
    } else {
      for (int j = from; j < n; j++) {
        double x = v[j];
        double wx = w * x;
        sum[j] += wx;
        sq[j] += wx * x;
        nnz += x != 0.0 ? 1 : 0;
      }
    }
    return nnz;
  }
}
