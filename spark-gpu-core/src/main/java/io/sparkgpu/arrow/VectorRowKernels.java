package io.sparkgpu.arrow;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} with the Vector API (loaded only when the JVM has {@code jdk.incubator.vector}), lane by
 * lane with a scalar tail. Each feature's sums take the same multiplications and additions as the scalar loops.
 */
final class VectorRowKernels extends RowKernels {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  /** Long lanes of {@link #D}'s shape, for the values' bit patterns. */
  private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, D.vectorShape());
  /**
   * The bit pattern of float32's largest value as a double. For a double's magnitude bits (sign cleared) read as a
   * signed long, {@code bits <= MAX_FLOAT_BITS} exactly when {@code |v| <= Float.MAX_VALUE}: the order of
   * non-negative doubles is that of their bits, and infinities and NaNs lie above every finite value.
   */
  private static final long MAX_FLOAT_BITS = Double.doubleToRawLongBits(Float.MAX_VALUE);

  @Override
  String describe() {
    return D + " range check, scalar float conversion";
  }

  @Override
  boolean toFloat(double[] src, int n, byte[] dst, int at) {
    int step = D.length();
    int vecEnd = n - n % step;
    // Range and finiteness by integer comparison of the magnitudes' bits (one max per vector; a floating-point max
    // with Java's NaN semantics costs several instructions).
    LongVector maxBits = LongVector.zero(L);
    for (int j = 0; j < vecEnd; j += step) {
      maxBits = maxBits.max(DoubleVector.fromArray(D, src, j).reinterpretAsLongs().and(Long.MAX_VALUE));
    }
    // The conversion is a plain loop. JDK 17's C2 does not vectorise it (conversions between element sizes came to
    // its auto-vectoriser in JDK 20), so it runs one value at a time (~0.4 ns per value here). The Vector API would
    // need a float vector half as wide as the kernels' (Float256 beside their Float512): its same-width conversion is
    // not intrinsified on JDK 17, and a second float vector class at FloatVector's shared call sites costs the
    // training kernels their store intrinsic (see the optimisation log's fourth and fifth passes). Stored with
    // FloatVector.intoByteArray instead of intoArray, it still left the trainer at up to half speed in full benchmark
    // runs, and that method is gone after JDK 18 (the seventh pass).
    for (int j = 0; j < vecEnd; j++) {
      FLOAT_LE.set(dst, at + 4 * j, (float) src[j]);
    }
    boolean inRange = vecEnd == 0 || maxBits.reduceLanes(VectorOperators.MAX) <= MAX_FLOAT_BITS;
    return ScalarRowKernels.toFloatScalar(src, vecEnd, n, dst, at) && inRange;
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
