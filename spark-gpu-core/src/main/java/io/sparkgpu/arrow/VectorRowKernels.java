package io.sparkgpu.arrow;

import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} with the Vector API (loaded only when the JVM has {@code jdk.incubator.vector}), lane by
 * lane with a scalar tail. Each feature's sums take the same multiplications and additions as the scalar loops.
 */
final class VectorRowKernels extends RowKernels {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  /** Long lanes of {@link #D}'s shape, for the values' bit patterns. */
  private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, D.vectorShape());
  /** Floats of half {@link #D}'s width: one conversion of a double vector fills one exactly. */
  private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
      VectorShape.forBitSize(D.vectorBitSize() / 2));
  /**
   * The bit pattern of float32's largest value as a double. For a double's magnitude bits (sign cleared) read as a
   * signed long, {@code bits <= MAX_FLOAT_BITS} exactly when {@code |v| <= Float.MAX_VALUE}: the order of
   * non-negative doubles is that of their bits, and infinities and NaNs lie above every finite value.
   */
  private static final long MAX_FLOAT_BITS = Double.doubleToRawLongBits(Float.MAX_VALUE);

  @Override
  String describe() {
    return D + " range check and float conversion to " + F;
  }

  @Override
  boolean toFloat(double[] src, int n, byte[] dst, int at) {
    int step = D.length();
    int vecEnd = n - n % step;
    // Range and finiteness by integer comparison of the magnitudes' bits (one max per vector; a floating-point max
    // with Java's NaN semantics costs several instructions). The conversion narrows each double vector into a float
    // vector of half its width, stored as the Arrow buffer's little-endian bytes. It stores with intoByteArray, never
    // intoArray: the training kernels store 512-bit float vectors with FloatVector.intoArray, and a second float
    // vector class in that method's type profile costs them the store intrinsic (the optimisation log's fourth and
    // fifth passes).
    LongVector maxBits = LongVector.zero(L);
    for (int j = 0; j < vecEnd; j += step) {
      DoubleVector x = DoubleVector.fromArray(D, src, j);
      maxBits = maxBits.max(x.reinterpretAsLongs().and(Long.MAX_VALUE));
      ((FloatVector) x.convertShape(VectorOperators.D2F, F, 0)).intoByteArray(dst, at + 4 * j,
          ByteOrder.LITTLE_ENDIAN);
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
