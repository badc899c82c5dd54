package io.sparkgpu.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LinearKernel} with the Vector API (loaded only when the JVM has {@code jdk.incubator.vector}), in groups of
 * 16 rows: their dot products four rows at a time, the 16 margins gathered into vectors without lane-by-lane
 * reductions, the loss and its gradient computed lane-wise, then the gradient update four rows at a time, while the
 * group (16 rows, 6.4 KB at 100 features) is still in L1.
 *
 * <p><b>Precision.</b> Unlike {@link ScalarLinearKernel} and the sparse path, which compute each row's loss and
 * gradient in double, this kernel computes them in float, as the GPU kernels do: e^-|z| by range reduction and a
 * degree-7 polynomial, log(1 + e) as 2·atanh(e / (2 + e)) by its series to the 13th power, and sigmoid(z) - y in a
 * form without cancellation. Each row's loss and gradient are within a few float ulps (relative error below 1e-6,
 * see {@code FusedLinearPassTest}) of their double-precision values; e^-|z| is taken as 0 for |z| > 87, where it
 * is below 1.7e-38. Per group the 16 losses and gradients are summed in float and the group sums in double. The
 * dot products sum their lanes in a tree rather than in order, so they round differently from {@link VectorGemv}.
 *
 * <p>Rows narrower than one vector go to {@link ScalarLinearKernel}. Needs vectors of 4, 8 or 16 floats; the
 * constructor refuses other shapes, and {@link LinearKernel} then uses the plain Java kernel.
 *
 * <p>The work is split into small methods that pass only arrays and scalars on purpose: one method holding the 16
 * rows' dot products, loss and update exceeded C2's inlining budget on JDK 17, vector operations were left as calls
 * on boxed vectors, and the kernel ran 30 times slower. Keep vectors from crossing method boundaries.
 */
final class VectorLinearKernel extends LinearKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Rows per group: one vector of margins on AVX-512, two on AVX2. */
  private static final int G = 16;

  // Lanes with bit h set, and the permutation swapping the lanes l and l ^ h: one level of the margin fold each.
  private static final VectorMask<Float> M0 = lanesWithBit(L >> 1);
  private static final VectorMask<Float> M1 = lanesWithBit(L >> 2);
  private static final VectorMask<Float> M2 = lanesWithBit(L >> 3);
  private static final VectorMask<Float> M3 = lanesWithBit(L >> 4);
  private static final VectorShuffle<Float> W0 = swapBit(L >> 1);
  private static final VectorShuffle<Float> W1 = swapBit(L >> 2);
  private static final VectorShuffle<Float> W2 = swapBit(L >> 3);
  private static final VectorShuffle<Float> W3 = swapBit(L >> 4);
  private static final VectorShuffle<Float> BIT_REVERSE = bitReverse();

  private static final float LOG2E = 1.44269504088896341f;
  // ln 2 in two parts: n·LN2_HI is exact for |n| < 2^15
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  /** 1.5·2^23: adding it rounds to an integer, which then sits in the low bits of the sum. */
  private static final float ROUNDER = 12582912f;
  private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
  /** Beyond this |z|, e^-|z| would leave the normal floats; it is taken as 0. */
  private static final float EXP_CUTOFF = 87f;

  private final ScalarLinearKernel narrow = new ScalarLinearKernel();

  VectorLinearKernel() {
    if (L != 4 && L != 8 && L != 16) {
      throw new IllegalStateException("Vectors of " + L + " floats; the fused kernel needs 4, 8 or 16");
    }
  }

  private static VectorMask<Float> lanesWithBit(int h) {
    boolean[] set = new boolean[L];
    for (int l = 0; l < L; l++) {
      set[l] = h > 0 && (l & h) != 0;
    }
    return VectorMask.fromArray(S, set, 0);
  }

  private static VectorShuffle<Float> swapBit(int h) {
    int[] to = new int[L];
    for (int l = 0; l < L; l++) {
      to[l] = h > 0 ? l ^ h : l;
    }
    return VectorShuffle.fromArray(S, to, 0);
  }

  private static VectorShuffle<Float> bitReverse() {
    int bits = Integer.numberOfTrailingZeros(L);
    int[] to = new int[L];
    for (int l = 0; l < L; l++) {
      to[l] = bits == 0 ? 0 : Integer.reverse(l) >>> (32 - bits);
    }
    return VectorShuffle.fromArray(S, to, 0);
  }

  @Override
  String describe() {
    return S.toString() + ", " + G + "-row groups, float loss";
  }

  @Override
  double dense(boolean logistic, float[] x, int xOff, int rows, int d, float[] labels, int yOff, float[] weights,
      int wtOff, float[] p, int pOff, float bias, float gradScale, float[] g, int gOff) {
    if (d < L) {
      return narrow.dense(logistic, x, xOff, rows, d, labels, yOff, weights, wtOff, p, pOff, bias, gradScale, g,
          gOff);
    }
    int vecEnd = d - d % L;
    int width = vecEnd < d ? vecEnd + L : vecEnd;
    // Columns [vecEnd, d) are read as the whole vector [d - L, d), inside the row; its first columns were counted
    // already, so they get weight 0 there. The gradient of that vector goes to acc[vecEnd, vecEnd + L).
    float[] pp = new float[width];
    System.arraycopy(p, pOff, pp, 0, vecEnd);
    for (int c = vecEnd; c < d; c++) {
      pp[vecEnd + c - (d - L)] = p[pOff + c];
    }
    float[] acc = new float[width];
    float[] partial = new float[4 * L];
    float[] margins = new float[G];
    float[] grads = new float[G];
    float[] shortLabels = new float[G];
    float[] shortWeights = new float[G];
    double[] sums = new double[2];
    for (int i = 0; i < rows; i += G) {
      int n = Math.min(G, rows - i);
      int last = n - 1;
      int o = xOff + i * d;
      // A short last group repeats its last row, with weight 0, so that every vector read stays in the batch.
      for (int b = 0; b < 4; b++) {
        int r = 4 * b;
        dot4(x, o + Math.min(r, last) * d, o + Math.min(r + 1, last) * d, o + Math.min(r + 2, last) * d,
            o + Math.min(r + 3, last) * d, vecEnd, d, pp, partial, b * L);
      }
      gatherMargins(partial, margins);
      float[] ya = labels;
      int yo = yOff + i;
      float[] wa = weights;
      int wo = wtOff + i;
      if (n < G) {
        java.util.Arrays.fill(shortLabels, 0f);
        java.util.Arrays.fill(shortWeights, 0f);
        System.arraycopy(labels, yo, shortLabels, 0, n);
        System.arraycopy(weights, wo, shortWeights, 0, n);
        ya = shortLabels;
        yo = 0;
        wa = shortWeights;
        wo = 0;
      }
      if (logistic) {
        logistic(margins, bias, ya, yo, wa, wo, gradScale, grads, sums);
      } else {
        squared(margins, bias, ya, yo, wa, wo, gradScale, grads, sums);
      }
      for (int b = 0; b < 4; b++) {
        int r = 4 * b;
        update4(x, o + Math.min(r, last) * d, o + Math.min(r + 1, last) * d, o + Math.min(r + 2, last) * d,
            o + Math.min(r + 3, last) * d, vecEnd, d, grads[r], grads[r + 1], grads[r + 2], grads[r + 3], acc);
      }
    }
    System.arraycopy(acc, 0, g, gOff, vecEnd);
    for (int c = vecEnd; c < d; c++) {
      g[gOff + c] = acc[vecEnd + c - (d - L)];
    }
    g[gOff + d] = (float) sums[1];
    return sums[0];
  }

  /**
   * Dot products of four rows with pp, folded into one vector: the first two levels of a tree that, level by level,
   * adds the lanes l and l ^ h of one accumulator while putting the next accumulator's sums in the other half
   * ({@link #gatherMargins} does the rest). Writes that vector to {@code partial[at]}. The rows are read one after
   * the other, in address order, which the hardware prefetcher follows better than four rows side by side (streaming
   * from memory, one thread: 33 ns per row side by side, 24 ns in order).
   */
  private static void dot4(float[] x, int o0, int o1, int o2, int o3, int vecEnd, int d, float[] pp,
      float[] partial, int at) {
    FloatVector v0 = FloatVector.zero(S);
    FloatVector v1 = v0;
    FloatVector v2 = v0;
    FloatVector v3 = v0;
    for (int c = 0; c < vecEnd; c += L) {
      v0 = FloatVector.fromArray(S, x, o0 + c).fma(FloatVector.fromArray(S, pp, c), v0);
    }
    for (int c = 0; c < vecEnd; c += L) {
      v1 = FloatVector.fromArray(S, x, o1 + c).fma(FloatVector.fromArray(S, pp, c), v1);
    }
    for (int c = 0; c < vecEnd; c += L) {
      v2 = FloatVector.fromArray(S, x, o2 + c).fma(FloatVector.fromArray(S, pp, c), v2);
    }
    for (int c = 0; c < vecEnd; c += L) {
      v3 = FloatVector.fromArray(S, x, o3 + c).fma(FloatVector.fromArray(S, pp, c), v3);
    }
    if (vecEnd < d) {
      int c = d - L;
      FloatVector pc = FloatVector.fromArray(S, pp, vecEnd);
      v0 = FloatVector.fromArray(S, x, o0 + c).fma(pc, v0);
      v1 = FloatVector.fromArray(S, x, o1 + c).fma(pc, v1);
      v2 = FloatVector.fromArray(S, x, o2 + c).fma(pc, v2);
      v3 = FloatVector.fromArray(S, x, o3 + c).fma(pc, v3);
    }
    FloatVector a = v0.blend(v1, M0).add(v1.blend(v0, M0).rearrange(W0));
    FloatVector b = v2.blend(v3, M0).add(v3.blend(v2, M0).rearrange(W0));
    a.blend(b, M1).add(b.blend(a, M1).rearrange(W1)).intoArray(partial, at);
  }

  /**
   * The remaining levels of {@link #dot4}'s tree over its four vectors: each vector of 16 margins (one on
   * AVX-512, two on AVX2, four with 128-bit vectors) then holds row k in lane bit-reverse(k), put in order here.
   */
  private static void gatherMargins(float[] partial, float[] margins) {
    FloatVector p0 = FloatVector.fromArray(S, partial, 0);
    FloatVector p1 = FloatVector.fromArray(S, partial, L);
    FloatVector p2 = FloatVector.fromArray(S, partial, 2 * L);
    FloatVector p3 = FloatVector.fromArray(S, partial, 3 * L);
    if (L == 4) {
      p0.rearrange(BIT_REVERSE).intoArray(margins, 0);
      p1.rearrange(BIT_REVERSE).intoArray(margins, 4);
      p2.rearrange(BIT_REVERSE).intoArray(margins, 8);
      p3.rearrange(BIT_REVERSE).intoArray(margins, 12);
      return;
    }
    FloatVector f0 = p0.blend(p1, M2).add(p1.blend(p0, M2).rearrange(W2));
    FloatVector f1 = p2.blend(p3, M2).add(p3.blend(p2, M2).rearrange(W2));
    if (L == 8) {
      f0.rearrange(BIT_REVERSE).intoArray(margins, 0);
      f1.rearrange(BIT_REVERSE).intoArray(margins, 8);
      return;
    }
    f0.blend(f1, M3).add(f1.blend(f0, M3).rearrange(W3)).rearrange(BIT_REVERSE).intoArray(margins, 0);
  }

  private static FloatVector k(float c) {
    return FloatVector.broadcast(S, c);
  }

  /**
   * Logistic loss and gradient of {@link #G} rows, lane-wise in float: writes gradScale·w·(sigmoid(z) - y) into
   * {@code grads}, adds Σ w·(max(z, 0) - y·z + log(1 + e^-|z|)) to {@code sums[0]} and Σ of the gradients to
   * {@code sums[1]}. z = margins + bias. Package-private for the accuracy test.
   */
  static void logistic(float[] margins, float bias, float[] labels, int yo, float[] weights, int wo,
      float gradScale, float[] grads, double[] sums) {
    for (int j = 0; j < G; j += L) {
      FloatVector z = FloatVector.fromArray(S, margins, j).add(bias);
      FloatVector y = FloatVector.fromArray(S, labels, yo + j);
      FloatVector w = FloatVector.fromArray(S, weights, wo + j);
      // e = e^-|z| = 2^n·e^r, n = round(-|z|·log2 e), |r| <= ln2/2; e^r by Taylor to r^7 (error < 1e-8 relative)
      FloatVector a = z.abs();
      FloatVector t = a.neg().fma(k(LOG2E), k(ROUNDER));
      FloatVector n = t.sub(ROUNDER);
      FloatVector r = n.fma(k(-LN2_HI), a.neg());
      r = n.fma(k(-LN2_LO), r);
      FloatVector q = r.fma(k(1f / 5040), k(1f / 720));
      q = q.fma(r, k(1f / 120));
      q = q.fma(r, k(1f / 24));
      q = q.fma(r, k(1f / 6));
      q = q.fma(r, k(0.5f));
      q = q.fma(r, k(1f));
      q = q.fma(r, k(1f));
      // 2^n into the exponent field; for |z| <= 87 the result stays a normal float
      IntVector shift = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23);
      FloatVector e = ((IntVector) q.reinterpretAsInts()).add(shift).reinterpretAsFloats()
          .blend(0f, a.compare(VectorOperators.GT, EXP_CUTOFF));
      // log(1 + e) = 2·atanh(s), s = e / (2 + e) in [0, 1/3]: the series to s^13 leaves < 2e-8 relative
      FloatVector s = e.div(e.add(2f));
      FloatVector s2 = s.mul(s);
      FloatVector l = s2.fma(k(1f / 13), k(1f / 11));
      l = l.fma(s2, k(1f / 9));
      l = l.fma(s2, k(1f / 7));
      l = l.fma(s2, k(1f / 5));
      l = l.fma(s2, k(1f / 3));
      l = l.fma(s2, k(1f));
      FloatVector log1p = s.add(s).mul(l);
      // sigmoid(z) - y = (σ - y·(1 + e))/(1 + e) with σ = 1 (z >= 0) or e (z < 0): (σ - y) - y·e has no
      // cancellation for y in {0, 1} (it is -e for a right answer at z >= 0, not 1/(1 + e) - 1)
      VectorMask<Float> negative = z.compare(VectorOperators.LT, 0f);
      FloatVector numerator = y.neg().add(1f).blend(e.sub(y), negative).sub(y.mul(e));
      FloatVector gv = numerator.div(e.add(1f)).mul(w.mul(gradScale));
      FloatVector lv = z.max(0f).sub(y.mul(z)).add(log1p).mul(w);
      gv.intoArray(grads, j);
      sums[0] += lv.reduceLanes(VectorOperators.ADD);
      sums[1] += gv.reduceLanes(VectorOperators.ADD);
    }
  }

  /** {@link #logistic} for the squared error w·(z - y)²/2, gradient gradScale·w·(z - y). */
  private static void squared(float[] margins, float bias, float[] labels, int yo, float[] weights, int wo,
      float gradScale, float[] grads, double[] sums) {
    for (int j = 0; j < G; j += L) {
      FloatVector z = FloatVector.fromArray(S, margins, j).add(bias);
      FloatVector y = FloatVector.fromArray(S, labels, yo + j);
      FloatVector w = FloatVector.fromArray(S, weights, wo + j);
      FloatVector r = z.sub(y);
      FloatVector wr = w.mul(r);
      FloatVector gv = wr.mul(gradScale);
      FloatVector lv = wr.mul(r).mul(0.5f);
      gv.intoArray(grads, j);
      sums[0] += lv.reduceLanes(VectorOperators.ADD);
      sums[1] += gv.reduceLanes(VectorOperators.ADD);
    }
  }

  /** acc += g0·x0 + g1·x1 + g2·x2 + g3·x3 over the columns (the last vector as in {@link #dense}). */
  private static void update4(float[] x, int o0, int o1, int o2, int o3, int vecEnd, int d, float g0, float g1,
      float g2, float g3, float[] acc) {
    FloatVector b0 = FloatVector.broadcast(S, g0);
    FloatVector b1 = FloatVector.broadcast(S, g1);
    FloatVector b2 = FloatVector.broadcast(S, g2);
    FloatVector b3 = FloatVector.broadcast(S, g3);
    for (int c = 0; c < vecEnd; c += L) {
      FloatVector s = FloatVector.fromArray(S, acc, c);
      s = FloatVector.fromArray(S, x, o0 + c).fma(b0, s);
      s = FloatVector.fromArray(S, x, o1 + c).fma(b1, s);
      s = FloatVector.fromArray(S, x, o2 + c).fma(b2, s);
      s = FloatVector.fromArray(S, x, o3 + c).fma(b3, s);
      s.intoArray(acc, c);
    }
    if (vecEnd < d) {
      int c = d - L;
      FloatVector s = FloatVector.fromArray(S, acc, vecEnd);
      s = FloatVector.fromArray(S, x, o0 + c).fma(b0, s);
      s = FloatVector.fromArray(S, x, o1 + c).fma(b1, s);
      s = FloatVector.fromArray(S, x, o2 + c).fma(b2, s);
      s = FloatVector.fromArray(S, x, o3 + c).fma(b3, s);
      s.intoArray(acc, vecEnd);
    }
  }
}
