package io.sparkgpu.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU backend's fused {@code linearLossAndGradient} (both kernels) against the interface's default, which
 * composes the primitives as the network pass does, and both against a double-precision reference written plainly
 * below: dense and sparse rows, unit and random weights (some 0), with and without centring, trained and fixed
 * bias, logistic and squared loss. Mini-batches are row ranges of a larger chunk and the outputs views with
 * neighbours, as the trainer passes them; 1023 rows and 37 features leave row and lane tails. Tolerances as in the
 * backend conformance suite: {@code REL·magnitude + ABS}, magnitude the sum of the absolute values of the terms.
 */
class FusedLinearPassTest {
  private static final double REL = 1e-5;
  private static final double ABS = 1e-6;
  private static final int CHUNK_ROWS = 1100;
  private static final int START = 37;
  private static final int ROWS = 1023;
  private static final int D = 37;
  private static final float GRAD_SCALE = 0.37f;

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (String kernel : new String[] {"vector", "scalar"}) {
      for (Loss loss : new Loss[] {Loss.LOGISTIC, Loss.SQUARED_ERROR}) {
        for (boolean sparse : new boolean[] {false, true}) {
          for (boolean weighted : new boolean[] {false, true}) {
            for (boolean centred : new boolean[] {false, true}) {
              all.add(Arguments.of(kernel, loss, sparse, weighted, centred, true));
            }
          }
          all.add(Arguments.of(kernel, loss, sparse, true, true, false));
          all.add(Arguments.of(kernel, loss, sparse, false, false, false));
        }
      }
    }
    return all.stream();
  }

  private static LinearKernel kernel(String name) {
    return name.equals("scalar") ? new ScalarLinearKernel() : new VectorLinearKernel();
  }

  /** One chunk of rows in dense and CSR form (the same values), labels, weights, parameters and centring. */
  private record Data(float[] x, int[] rowPtr, int[] cols, float[] vals, float[] y, float[] w, float[] params,
      float[] shift) {}

  private static Data data(Loss loss, boolean weighted, boolean centred, long seed) {
    Random r = new Random(seed);
    float[] x = new float[CHUNK_ROWS * D];
    int[] rowPtr = new int[CHUNK_ROWS + 1];
    List<Integer> cols = new ArrayList<>();
    List<Float> vals = new ArrayList<>();
    for (int i = 0; i < CHUNK_ROWS; i++) {
      // every 5th row empty; a few rows scaled up so that the logistic loss saturates both ways
      double scale = i % 97 == 3 ? 60 : 1;
      for (int j = 0; j < D; j++) {
        if (i % 5 != 2 && r.nextDouble() < 0.4) {
          float v = (float) (scale * (0.5 * (j % 3) + r.nextGaussian()));
          x[i * D + j] = v;
          cols.add(j);
          vals.add(v);
        }
      }
      rowPtr[i + 1] = cols.size();
    }
    float[] y = new float[CHUNK_ROWS];
    float[] w = new float[CHUNK_ROWS];
    for (int i = 0; i < CHUNK_ROWS; i++) {
      y[i] = loss == Loss.LOGISTIC ? (r.nextBoolean() ? 1f : 0f) : (float) (3 * r.nextGaussian());
      w[i] = weighted ? (i % 11 == 0 ? 0f : (float) (3 * r.nextDouble())) : 1f;
    }
    float[] params = new float[D + 1];
    for (int j = 0; j <= D; j++) {
      params[j] = (float) (0.4 * r.nextGaussian());
    }
    float[] shift = null;
    if (centred) {
      shift = new float[D];
      for (int j = 0; j < D; j++) {
        shift[j] = (float) (0.3 * (j % 3) + 0.1 * r.nextGaussian());
      }
    }
    int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
    float[] v = new float[vals.size()];
    for (int q = 0; q < v.length; q++) {
      v[q] = vals.get(q);
    }
    return new Data(x, rowPtr, c, v, y, w, params, shift);
  }

  /** Loss and gradient of one backend's call, with the gradient's neighbours to check they are left alone. */
  private record Result(double loss, float[] grads, float[] padded) {}

  private static final float PAD = 77f;

  private static Result run(ComputeBackend backend, Loss loss, boolean sparse, boolean fitBias, Data data) {
    DenseMatrix x = sparse ? null : backend.upload(data.x(), 0, CHUNK_ROWS, D).rowRange(START, ROWS);
    CsrMatrix s = sparse ? backend.uploadCsr(CHUNK_ROWS, D, data.rowPtr(), data.cols(), data.vals())
        .rowRange(START, ROWS) : null;
    DenseMatrix y = backend.upload(data.y(), 0, CHUNK_ROWS, 1).rowRange(START, ROWS);
    DenseMatrix w = backend.upload(data.w(), 0, CHUNK_ROWS, 1).rowRange(START, ROWS);
    float[] paramsPadded = new float[D + 4];
    System.arraycopy(data.params(), 0, paramsPadded, 3, D + 1);
    DenseMatrix params = backend.upload(paramsPadded, 0, 1, D + 4).view(3, 1, D + 1);
    float[] gradsPadded = new float[D + 6];
    java.util.Arrays.fill(gradsPadded, PAD);
    DenseMatrix gradParent = backend.upload(gradsPadded, 0, 1, D + 6);
    DenseMatrix grads = gradParent.view(2, 1, D + 1);
    DenseMatrix shift = data.shift() == null ? null : backend.upload(data.shift(), 0, 1, D);
    DenseMatrix work = backend.allocate(1, 2 * ROWS + 1);
    double total = backend.linearLossAndGradient(loss, x, s, y, w, shift, fitBias, GRAD_SCALE, params, grads, work);
    float[] g = new float[D + 1];
    backend.read(grads, g, 0);
    float[] all = new float[D + 6];
    backend.read(gradParent, all, 0);
    return new Result(total, g, all);
  }

  /** The double-precision reference: loss, gradient and the magnitudes of their terms. */
  private record Reference(double loss, double lossMagnitude, double[] grads, double[] magnitudes) {}

  private static Reference reference(Loss loss, boolean fitBias, Data data) {
    double total = 0;
    double totalMag = 0;
    double[] g = new double[D + 1];
    double[] mag = new double[D + 1];
    double[] p = new double[D + 1];
    for (int j = 0; j <= D; j++) {
      p[j] = data.params()[j];
    }
    for (int i = START; i < START + ROWS; i++) {
      double z = p[D];
      for (int j = 0; j < D; j++) {
        double m = data.shift() == null ? 0 : data.shift()[j];
        z += (data.x()[i * D + j] - m) * p[j];
      }
      double yi = data.y()[i];
      double wi = data.w()[i];
      double l;
      double dl;
      if (loss == Loss.LOGISTIC) {
        l = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - yi * z;
        dl = (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))) - yi;
      } else {
        l = 0.5 * (z - yi) * (z - yi);
        dl = z - yi;
      }
      total += wi * l;
      totalMag += Math.abs(wi * l);
      double gi = GRAD_SCALE * wi * dl;
      for (int j = 0; j < D; j++) {
        double m = data.shift() == null ? 0 : data.shift()[j];
        g[j] += gi * (data.x()[i * D + j] - m);
        mag[j] += Math.abs(gi) * (Math.abs(data.x()[i * D + j]) + Math.abs(m));
      }
      if (fitBias) {
        g[D] += gi;
        mag[D] += Math.abs(gi);
      }
    }
    return new Reference(total, totalMag, g, mag);
  }

  private static void assertNear(double expected, double magnitude, double actual, String what) {
    double tol = REL * Math.abs(magnitude) + ABS;
    if (!(Math.abs(actual - expected) <= tol)) {
      fail(what + ": expected " + expected + " but got " + actual + " (|diff| " + Math.abs(actual - expected)
          + " > tolerance " + tol + ")");
    }
  }

  @ParameterizedTest(name = "{0} {1} sparse={2} weighted={3} centred={4} fitBias={5}")
  @MethodSource("cases")
  void fusedEqualsComposedAndTheReference(String kernel, Loss loss, boolean sparse, boolean weighted,
      boolean centred, boolean fitBias) {
    Data data = data(loss, weighted, centred, 1000L * loss.ordinal() + (sparse ? 100 : 0) + (weighted ? 10 : 0)
        + (centred ? 1 : 0));
    Result fused = run(new CpuBackend(kernel(kernel)), loss, sparse, fitBias, data);
    Result composed = run(new ComposedOnly(new CpuBackend()), loss, sparse, fitBias, data);
    Reference ref = reference(loss, fitBias, data);
    String what = kernel + " " + loss + (sparse ? " sparse" : " dense") + (weighted ? " weighted" : "")
        + (centred ? " centred" : "") + (fitBias ? "" : " fixed bias");

    assertTrue(Double.isFinite(fused.loss()), what + ": loss " + fused.loss());
    assertNear(composed.loss(), ref.lossMagnitude(), fused.loss(), what + " loss vs composed");
    assertNear(ref.loss(), ref.lossMagnitude(), fused.loss(), what + " loss vs reference");
    assertNear(ref.loss(), ref.lossMagnitude(), composed.loss(), what + " composed loss vs reference");
    for (int j = 0; j <= D; j++) {
      String at = what + " gradient " + (j == D ? "bias" : "w" + j);
      assertTrue(Float.isFinite(fused.grads()[j]), at + " is " + fused.grads()[j]);
      assertNear(composed.grads()[j], ref.magnitudes()[j], fused.grads()[j], at + " vs composed");
      assertNear(ref.grads()[j], ref.magnitudes()[j], fused.grads()[j], at + " vs reference");
      assertNear(ref.grads()[j], ref.magnitudes()[j], composed.grads()[j], at + " composed vs reference");
    }
    if (!fitBias) {
      assertEquals(0f, fused.grads()[D], what + ": a fixed bias has gradient 0");
    }
    for (int i : new int[] {0, 1, D + 3, D + 4, D + 5}) {
      assertEquals(PAD, fused.padded()[i], what + ": element " + i + " outside the gradient's view changed");
    }
  }

  @Test
  void denseAndSparseRowsOfTheSameValuesAgree() {
    Data data = data(Loss.LOGISTIC, true, true, 5);
    for (String k : new String[] {"vector", "scalar"}) {
      Result dense = run(new CpuBackend(kernel(k)), Loss.LOGISTIC, false, true, data);
      Result sparse = run(new CpuBackend(kernel(k)), Loss.LOGISTIC, true, true, data);
      Reference ref = reference(Loss.LOGISTIC, true, data);
      assertNear(dense.loss(), ref.lossMagnitude(), sparse.loss(), k + " loss");
      for (int j = 0; j <= D; j++) {
        assertNear(dense.grads()[j], ref.magnitudes()[j], sparse.grads()[j], k + " gradient " + j);
      }
    }
  }

  /** The per-row loss replaces StrictMath's log1p: its values must agree with the textbook ones to ~1e-12. */
  @Test
  void rowLossAgreesWithLog1pToTwelveDigits() {
    float[] grad = new float[1];
    Random r = new Random(3);
    List<Float> zs = new ArrayList<>(List.of(0f, -0f, 1e-30f, -1e-30f, 1e-8f, 1f, -1f, 9.2f, -9.2f, 20f, -20f, 36.7f,
        -36.7f, 80f, -80f, 700f, -700f, 1e4f, -1e4f, Float.MIN_VALUE));
    for (int i = 0; i < 2000; i++) {
      zs.add((float) (40 * r.nextGaussian()));
      zs.add((float) r.nextGaussian());
    }
    for (float z : zs) {
      for (float y : new float[] {0f, 1f}) {
        double zi = z;
        double t = y == 1f ? -zi : zi; // softplus(z) - y·z = softplus(t), without cancellation
        double expected = 1.5 * (Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t))));
        double got = LinearKernel.row(true, z, y, 1.5f, 2f, grad, 0);
        double tol = 1e-12 * Math.abs(expected) + Double.MIN_NORMAL;
        assertTrue(Math.abs(got - expected) <= tol, "loss at z=" + z + ", y=" + y + ": " + got + " vs " + expected);
        double sigmoid = zi >= 0 ? 1 / (1 + Math.exp(-zi)) : Math.exp(zi) / (1 + Math.exp(zi));
        float g = (float) (2f * 1.5f * (sigmoid - y));
        assertEquals(g, grad[0], Math.ulp(g), "gradient at z=" + z + ", y=" + y);
      }
    }
    assertEquals(0.0, LinearKernel.row(false, 2.5f, 2.5f, 3f, 1f, grad, 0));
    assertEquals(0f, grad[0]);
    assertEquals(3 * 0.5 * 4, LinearKernel.row(false, 4f, 2f, 3f, 0.5f, grad, 0), 0.0);
    assertEquals(3f, grad[0]);
  }

  /**
   * Four rows at once (one logarithm of the product when the weights are equal): the gradients of the one-row
   * formula exactly, and the loss within 1e-12 relative of log1p's, also for blocks of saturated rows whose losses
   * are ~1e-30, where an uncompensated product would lose every digit.
   */
  @Test
  void fourRowLossAgreesWithLog1pToTwelveDigits() {
    Random r = new Random(4);
    float[] labels = new float[4];
    float[] weights = new float[4];
    float[] grad4 = new float[4];
    float[] grad1 = new float[1];
    for (int block = 0; block < 4000; block++) {
      float[] z = new float[4];
      double spread = block % 4 == 0 ? 3 : 30;
      for (int k = 0; k < 4; k++) {
        z[k] = (float) (spread * r.nextGaussian());
        labels[k] = r.nextBoolean() ? 1f : 0f;
        if (block % 8 == 1) {
          z[k] = 70f + 3 * k; // all saturated and right: each loss ~e^-70
          labels[k] = 1f;
        }
      }
      boolean equal = block % 3 != 2;
      for (int k = 0; k < 4; k++) {
        weights[k] = equal ? 1.25f : (float) (0.1 + r.nextDouble());
      }
      double got = LinearKernel.rows4(true, z[0], z[1], z[2], z[3], labels, 0, weights, 0, 0.5f, grad4);
      double expected = 0;
      for (int k = 0; k < 4; k++) {
        // softplus(z) - y·z = softplus(y == 1 ? -z : z), without the cancellation of the textbook form
        double t = labels[k] == 1f ? -z[k] : z[k];
        expected += weights[k] * (Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t))));
        LinearKernel.row(true, z[k], labels[k], weights[k], 0.5f, grad1, 0);
        assertEquals(grad1[0], grad4[k], 0f, "gradient of row " + k + " of block " + block);
      }
      assertTrue(Math.abs(got - expected) <= 1e-12 * Math.abs(expected) + Double.MIN_NORMAL,
          "block " + block + " (equal weights " + equal + "): " + got + " vs " + expected);
    }
  }

  /**
   * Both dense kernels called directly at widths below, at and around the vector length (the vector kernel hands
   * rows narrower than a vector to the plain one, and reads a last partial vector of columns at d - lanes) and at
   * row counts that leave a short last group of 16, against the double-precision reference. The batch ends where
   * the array ends, so a read past the last row would throw.
   */
  @Test
  void denseKernelsAgreeWithTheReferenceAtEveryWidthAndRowCount() {
    Random r = new Random(11);
    for (String k : new String[] {"vector", "scalar"}) {
      for (int d : new int[] {1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 100}) {
        for (int rows : new int[] {1, 5, 16, 17, 40, 1023}) {
          for (boolean logistic : new boolean[] {true, false}) {
            int skip = 3;
            float[] x = new float[(skip + rows) * d];
            for (int i = 0; i < x.length; i++) {
              x[i] = (float) r.nextGaussian();
            }
            float[] y = new float[skip + rows];
            float[] w = new float[skip + rows];
            for (int i = 0; i < y.length; i++) {
              y[i] = logistic ? (r.nextBoolean() ? 1f : 0f) : (float) (2 * r.nextGaussian());
              w[i] = i % 7 == 0 ? 0f : (float) (0.5 + r.nextDouble());
            }
            float[] p = new float[d + 3];
            for (int j = 0; j < p.length; j++) {
              p[j] = (float) (r.nextGaussian() / Math.sqrt(d));
            }
            float bias = 0.3f;
            float[] g = new float[d + 3];
            java.util.Arrays.fill(g, PAD);
            double loss = kernel(k).dense(logistic, x, skip * d, rows, d, y, skip, w, skip, p, 2, bias, GRAD_SCALE, g,
                1);
            double refLoss = 0;
            double lossMag = 0;
            double[] ref = new double[d + 1];
            double[] mag = new double[d + 1];
            for (int i = skip; i < skip + rows; i++) {
              double z = bias;
              for (int j = 0; j < d; j++) {
                z += (double) x[i * d + j] * p[2 + j];
              }
              double l;
              double dl;
              if (logistic) {
                l = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
                dl = 1 / (1 + Math.exp(-z)) - y[i];
              } else {
                l = 0.5 * (z - y[i]) * (z - y[i]);
                dl = z - y[i];
              }
              refLoss += w[i] * l;
              lossMag += Math.abs(w[i] * l);
              double gi = GRAD_SCALE * w[i] * dl;
              for (int j = 0; j < d; j++) {
                ref[j] += gi * x[i * d + j];
                mag[j] += Math.abs(gi * x[i * d + j]);
              }
              ref[d] += gi;
              mag[d] += Math.abs(gi);
            }
            String what = k + (logistic ? " logistic" : " squared") + " d=" + d + " rows=" + rows;
            assertNear(refLoss, lossMag, loss, what + " loss");
            for (int j = 0; j <= d; j++) {
              assertNear(ref[j], mag[j], g[1 + j], what + " gradient " + j);
            }
            assertEquals(PAD, g[0], what + ": element before the gradient changed");
            assertEquals(PAD, g[d + 2], what + ": element after the gradient changed");
          }
        }
      }
    }
  }

  /**
   * The vector kernel's float loss and gradient, row by row, against double precision: relative error below 1e-6
   * (the worst seen here is 2.6e-7 for the loss and 1.9e-7 for the gradient, 2 to 4 float ulps) from z = 0 to
   * beyond the cut-off of e^-|z| at 87, for both labels; a row's loss is read from the sum with only that row
   * weighted.
   */
  @Test
  void vectorLogisticRowsAreWithinAMillionthOfDoublePrecision() {
    Random r = new Random(12);
    List<Float> zs = new ArrayList<>(List.of(0f, -0f, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 1e-3f, 0.3465f, -0.3466f, 1f,
        -1f, 9.2f, -9.2f, 16.6f, -16.6f, 20f, -20f, 36.7f, -36.7f, 80f, -80f, 86.99f, -86.99f, 87f, -87f, 87.01f,
        -87.01f, 88f, -88f, 100f, -100f, 700f, -700f, 1e4f, -1e4f, Float.MIN_VALUE));
    for (int i = 0; i < 3000; i++) {
      zs.add((float) (30 * r.nextGaussian()));
      zs.add((float) r.nextGaussian());
      zs.add((float) (90 * r.nextDouble() - 45));
    }
    while (zs.size() % 16 != 0) {
      zs.add(0.5f);
    }
    float scale = 0.37f;
    for (float label : new float[] {0f, 1f}) {
      for (int at = 0; at < zs.size(); at += 16) {
        float[] margins = new float[16];
        float[] labels = new float[16];
        for (int k = 0; k < 16; k++) {
          margins[k] = zs.get(at + k);
          labels[k] = (k + at / 16) % 3 == 0 ? 1f - label : label;
        }
        float[] grads = new float[16];
        for (int k = 0; k < 16; k++) {
          float[] weights = new float[16];
          weights[k] = 1.5f;
          double[] sums = new double[2];
          VectorLinearKernel.logistic(margins, 0f, labels, 0, weights, 0, scale, grads, sums);
          double z = margins[k];
          double t = labels[k] == 1f ? -z : z; // softplus(z) - y·z = softplus(t)
          double loss = 1.5 * (Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t))));
          // sigmoid(z) - y without cancellation (1/(1 + e) - 1 is 0 in double once e < 1e-16)
          double e = Math.exp(-Math.abs(z));
          double y = labels[k];
          double grad = scale * 1.5 * (((z >= 0 ? 1 : e) - y) - y * e) / (1 + e);
          double lossErr = Math.abs(sums[0] - loss);
          double gradErr = Math.abs(grads[k] - grad);
          // beyond |z| = 87 the kernel takes e^-|z| < 1.7e-38 as 0: an absolute error below 3e-38 here
          assertTrue(lossErr <= 1e-6 * Math.abs(loss) + 3e-38,
              "loss at z=" + z + ", y=" + y + ": " + sums[0] + " vs " + loss);
          assertTrue(gradErr <= 1e-6 * Math.abs(grad) + 3e-38,
              "gradient at z=" + z + ", y=" + y + ": " + grads[k] + " vs " + grad);
          assertEquals(grads[k], sums[1], Math.ulp(grads[k]), "gradient sum of one weighted row");
          for (int o = 0; o < 16; o++) {
            if (o != k) {
              assertEquals(0.0, grads[o], 0.0, "row of weight 0");
            }
          }
        }
      }
    }
  }

  @Test
  void refusesLossesWithSeveralOutputsAndBadShapes() {
    for (ComputeBackend b : new ComputeBackend[] {new CpuBackend(), new ComposedOnly(new CpuBackend())}) {
      DenseMatrix x = b.allocate(4, 3);
      DenseMatrix y = b.allocate(4, 1);
      DenseMatrix params = b.allocate(1, 4);
      DenseMatrix work = b.allocate(1, 9);
      assertThrows(IllegalArgumentException.class, () -> b.linearLossAndGradient(Loss.SOFTMAX_CROSS_ENTROPY, x,
          null, y, y, null, true, 1f, params, b.allocate(1, 4), work));
      assertThrows(IllegalArgumentException.class, () -> b.linearLossAndGradient(Loss.LOGISTIC, x, null, y, y,
          null, true, 1f, params, b.allocate(1, 3), work));
      assertThrows(IllegalArgumentException.class, () -> b.linearLossAndGradient(Loss.LOGISTIC, null, null, y, y,
          null, true, 1f, params, b.allocate(1, 4), work));
    }
  }

  /** The CPU backend without its fused override: every call goes to the interface's default composition. */
  private static final class ComposedOnly implements ComputeBackend {
    private final ComputeBackend inner;

    ComposedOnly(ComputeBackend inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return "composed " + inner.name();
    }

    @Override
    public DenseMatrix allocate(int rows, int cols) {
      return inner.allocate(rows, cols);
    }

    @Override
    public DenseMatrix upload(float[] data, int offset, int rows, int cols) {
      return inner.upload(data, offset, rows, cols);
    }

    @Override
    public CsrMatrix uploadCsr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
      return inner.uploadCsr(rows, cols, rowPtr, colIndices, values);
    }

    @Override
    public void write(float[] src, int offset, DenseMatrix dst) {
      inner.write(src, offset, dst);
    }

    @Override
    public void read(DenseMatrix src, float[] dst, int offset) {
      inner.read(src, dst, offset);
    }

    @Override
    public void copy(DenseMatrix src, DenseMatrix dst) {
      inner.copy(src, dst);
    }

    @Override
    public void fill(DenseMatrix dst, float value) {
      inner.fill(dst, value);
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, DenseMatrix a, DenseMatrix b, float beta,
        DenseMatrix c) {
      inner.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void csrGemm(boolean transA, float alpha, CsrMatrix a, DenseMatrix b, float beta, DenseMatrix c) {
      inner.csrGemm(transA, alpha, a, b, beta, c);
    }

    @Override
    public void addRowVector(DenseMatrix z, DenseMatrix bias) {
      inner.addRowVector(z, bias);
    }

    @Override
    public void columnSums(float alpha, DenseMatrix x, float beta, DenseMatrix out) {
      inner.columnSums(alpha, x, beta, out);
    }

    @Override
    public void activate(Activation f, DenseMatrix z) {
      inner.activate(f, z);
    }

    @Override
    public void activationBackward(Activation f, DenseMatrix out, DenseMatrix grad) {
      inner.activationBackward(f, out, grad);
    }

    @Override
    public double lossAndGradient(Loss loss, DenseMatrix z, DenseMatrix labels, DenseMatrix weights,
        float gradScale, DenseMatrix grad) {
      return inner.lossAndGradient(loss, z, labels, weights, gradScale, grad);
    }

    @Override
    public void outputTransform(Loss loss, DenseMatrix z) {
      inner.outputTransform(loss, z);
    }

    @Override
    public void optimizerStep(OptimizerStep step, DenseMatrix params, DenseMatrix grad, DenseMatrix state,
        DenseMatrix l2, DenseMatrix l1) {
      inner.optimizerStep(step, params, grad, state, l2, l1);
    }

    @Override
    public double sumOfSquares(DenseMatrix x) {
      return inner.sumOfSquares(x);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
