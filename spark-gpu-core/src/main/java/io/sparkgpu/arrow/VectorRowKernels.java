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
 * lane with a scalar tail. Each feature's sums take the same multiplications and additions as the scalar loops. The
 * float conversion is vectorised where the JDK's Vector API stores into byte arrays ({@code FloatVector.intoByteArray},
 * JDK 16 to 18; later JDKs store into memory segments instead); elsewhere it converts one value at a time.
 */
final class VectorRowKernels extends RowKernels {
  /** True when this JDK's {@code FloatVector} has {@code intoByteArray(byte[], int, ByteOrder)}. */
  static final boolean BYTE_ARRAY_STORES = hasByteArrayStores();
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

  /** Whether {@link #toFloat} converts a vector at a time; when false, it never reaches the vector store. */
  private final boolean vectorConversion;

  VectorRowKernels() {
    this(BYTE_ARRAY_STORES);
  }

  /** With {@code vectorConversion} false, the conversion is the scalar loop (tests take both paths on one JDK). */
  VectorRowKernels(boolean vectorConversion) {
    this.vectorConversion = vectorConversion && BYTE_ARRAY_STORES;
  }

  private static boolean hasByteArrayStores() {
    try {
      FloatVector.class.getMethod("intoByteArray", byte[].class, int.class, ByteOrder.class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  @Override
  String describe() {
    return D + " range check, " + (vectorConversion ? "float conversion to " + F : "scalar float conversion");
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
    if (vectorConversion) {
      for (int j = 0; j < vecEnd; j += step) {
        DoubleVector x = DoubleVector.fromArray(D, src, j);
        maxBits = maxBits.max(x.reinterpretAsLongs().and(Long.MAX_VALUE));
        ((FloatVector) x.convertShape(VectorOperators.D2F, F, 0)).intoByteArray(dst, at + 4 * j,
            ByteOrder.LITTLE_ENDIAN);
      }
    } else {
      for (int j = 0; j < vecEnd; j += step) {
        maxBits = maxBits.max(DoubleVector.fromArray(D, src, j).reinterpretAsLongs().and(Long.MAX_VALUE));
      }
      for (int j = 0; j < vecEnd; j++) {
        FLOAT_LE.set(dst, at + 4 * j, (float) src[j]);
      }
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
