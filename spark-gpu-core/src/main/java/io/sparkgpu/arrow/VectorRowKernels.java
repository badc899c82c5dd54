package io.sparkgpu.arrow;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} with the Vector API (loaded only when the JVM has {@code jdk.incubator.vector}), lane by
 * lane with a scalar tail. Each feature's sums take the same multiplications and additions as the scalar loops.
 */
final class VectorRowKernels extends RowKernels {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  /** Float lanes as many as {@link #D}'s double lanes (half its width). */
  private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
      jdk.incubator.vector.VectorShape.forBitSize(D.vectorBitSize() / 2));

  @Override
  String describe() {
    return D + " -> " + F;
  }

  @Override
  boolean toFloat(double[] src, int n, float[] dst, int off) {
    int step = D.length();
    int vecEnd = n - n % step;
    // Range and finiteness by arithmetic: the largest magnitude seen, and v - v, which is 0 for finite v and NaN
    // otherwise (so the sum of those is 0 exactly when every value is finite).
    DoubleVector maxAbs = DoubleVector.zero(D);
    DoubleVector nonFinite = DoubleVector.zero(D);
    for (int j = 0; j < vecEnd; j += step) {
      DoubleVector v = DoubleVector.fromArray(D, src, j);
      maxAbs = maxAbs.max(v.abs());
      nonFinite = nonFinite.add(v.sub(v));
      ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0)).intoArray(dst, off + j);
    }
    boolean inRange = vecEnd == 0
        || (nonFinite.reduceLanes(VectorOperators.ADD) == 0.0
            && maxAbs.reduceLanes(VectorOperators.MAX) <= Float.MAX_VALUE);
    for (int j = vecEnd; j < n; j++) {
      double v = src[j];
      inRange &= Math.abs(v) <= Float.MAX_VALUE;
      dst[off + j] = (float) v;
    }
    return inRange;
  }

  @Override
  long addDense(double[] v, int n, double w, double[] sum, double[] sq) {
    int step = D.length();
    int vecEnd = n - n % step;
    long nnz = 0;
    if (w == 1.0) {
      for (int j = 0; j < vecEnd; j += step) {
        DoubleVector x = DoubleVector.fromArray(D, v, j);
        DoubleVector.fromArray(D, sum, j).add(x).intoArray(sum, j);
        DoubleVector.fromArray(D, sq, j).add(x.mul(x)).intoArray(sq, j);
        nnz += x.compare(VectorOperators.NE, 0.0).trueCount();
      }
    } else {
      for (int j = 0; j < vecEnd; j += step) {
        DoubleVector x = DoubleVector.fromArray(D, v, j);
        DoubleVector wx = x.mul(w);
        DoubleVector.fromArray(D, sum, j).add(wx).intoArray(sum, j);
        DoubleVector.fromArray(D, sq, j).add(wx.mul(x)).intoArray(sq, j);
        nnz += x.compare(VectorOperators.NE, 0.0).trueCount();
      }
    }
    return nnz + ScalarRowKernels.addDenseScalar(v, vecEnd, n, w, sum, sq);
  }
}
