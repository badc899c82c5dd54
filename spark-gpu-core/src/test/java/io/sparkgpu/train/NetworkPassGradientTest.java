package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ReferenceNetwork;
import io.sparkgpu.testing.TrackingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NetworkPass#lossAndGradient} against central finite differences of the objective gradScale·Σ w·loss,
 * evaluated in double precision by {@link ReferenceNetwork} at the same (float) parameters and data. The first layer
 * sees x - m (m the centring shift). The pass computes in float32, so a component passes when
 * |g - fd| <= 1e-3·|fd| + 1e-4·max(1, max|fd|); the finite differences themselves (h = 1e-6, double) are accurate to
 * ~1e-9.
 */
class NetworkPassGradientTest {
  private static final int ROWS = 7;
  private static final int D = 5;
  private static final float GRAD_SCALE = 0.6f;

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (int hidden = 0; hidden <= 2; hidden++) {
      for (Activation a : Activation.values()) {
        if (hidden == 0 && a != Activation.IDENTITY) {
          continue; // no hidden layer: the activation is unused
        }
        for (Loss loss : Loss.values()) {
          for (boolean centred : new boolean[] {false, true}) {
            for (boolean sparse : new boolean[] {false, true}) {
              for (boolean fitFirstBias : new boolean[] {true, false}) {
                cases.add(Arguments.of(hidden, a, loss, centred, sparse, fitFirstBias));
              }
            }
          }
        }
      }
    }
    return cases.stream();
  }

  private static NetworkSpec spec(int hidden, Activation a, Loss loss) {
    int k = loss == Loss.SOFTMAX_CROSS_ENTROPY ? 3 : 1;
    int[] layers = hidden == 0 ? new int[] {D, k} : hidden == 1 ? new int[] {D, 4, k} : new int[] {D, 4, 3, k};
    return new NetworkSpec(layers, a, loss);
  }

  /** Σ w·loss in double at {@code params}, inputs x - shift. */
  private static double objective(NetworkSpec spec, double[] params, double[][] x, double[] shift, double[] y,
      double[] w) {
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      double[] in = new double[D];
      for (int j = 0; j < D; j++) {
        in[j] = x[i][j] - shift[j];
      }
      total += w[i] * ReferenceNetwork.loss(spec.loss(), ReferenceNetwork.forward(spec, params, in), y[i]);
    }
    return total;
  }

  @ParameterizedTest(name = "hidden={0} {1} {2} centred={3} sparse={4} fitFirstBias={5}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(int hidden, Activation act, Loss loss, boolean centred, boolean sparse,
      boolean fitFirstBias) {
    Random r = new Random(1000L * hidden + 100L * act.ordinal() + 10L * loss.ordinal() + (centred ? 5 : 0)
        + (sparse ? 3 : 0) + (fitFirstBias ? 1 : 0));
    NetworkSpec spec = spec(hidden, act, loss);
    int n = spec.numParams();
    int k = spec.outputs();

    // data: ~30% zeros, row 2 all zero (an empty CSR row)
    float[] xf = new float[ROWS * D];
    double[][] x = new double[ROWS][D];
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < D; j++) {
        float v = i == 2 || r.nextDouble() < 0.3 ? 0f : (float) (2 * r.nextDouble() - 1);
        xf[i * D + j] = v;
        x[i][j] = v;
      }
    }
    float[] yf = new float[ROWS];
    float[] wf = new float[ROWS];
    for (int i = 0; i < ROWS; i++) {
      yf[i] = loss == Loss.SQUARED_ERROR ? (float) r.nextGaussian() : loss == Loss.LOGISTIC ? r.nextInt(2)
          : r.nextInt(k);
      wf[i] = i == 4 ? 0f : (float) (0.2 + 1.5 * r.nextDouble());
    }
    float[] shiftf = new float[D];
    if (centred) {
      for (int j = 0; j < D; j++) {
        shiftf[j] = (float) (r.nextDouble() - 0.5);
      }
    }
    float[] pf = new float[n];
    for (int i = 0; i < n; i++) {
      pf[i] = (float) (1.6 * r.nextDouble() - 0.8);
    }

    double[] y = ReferenceNetwork.toDouble(yf);
    double[] w = ReferenceNetwork.toDouble(wf);
    double[] shift = ReferenceNetwork.toDouble(shiftf);
    double[] p = ReferenceNetwork.toDouble(pf);

    float[] got = new float[n];
    double loss0;
    try (CpuBackend cpu = new CpuBackend()) {
      TrackingBackend b = new TrackingBackend(cpu);
      // the mini-batch is rows [1, 8) of larger matrices, as the trainer passes row ranges of a chunk
      float[] xPad = new float[(ROWS + 2) * D];
      System.arraycopy(xf, 0, xPad, D, ROWS * D);
      float[] yPad = new float[ROWS + 1];
      System.arraycopy(yf, 0, yPad, 1, ROWS);
      float[] wPad = new float[ROWS + 1];
      System.arraycopy(wf, 0, wPad, 1, ROWS);
      try (DenseMatrix xm = b.upload(xPad, 0, ROWS + 2, D);
          CsrMatrix sm = sparseOf(b, xPad, ROWS + 2);
          DenseMatrix ym = b.upload(yPad, 0, ROWS + 1, 1);
          DenseMatrix wm = b.upload(wPad, 0, ROWS + 1, 1);
          DenseMatrix params = b.upload(pf, 0, 1, n);
          DenseMatrix grads = b.allocate(1, n);
          NetworkPass pass = new NetworkPass(b, spec, ROWS + 1, shiftf, fitFirstBias)) {
        b.fill(grads, Float.NaN); // every gradient element must be written
        loss0 = pass.lossAndGradient(sparse ? null : xm.rowRange(1, ROWS), sparse ? sm.rowRange(1, ROWS) : null,
            ym.rowRange(1, ROWS), wm.rowRange(1, ROWS), GRAD_SCALE, params, grads);
        b.read(grads, got, 0);
      }
      assertEquals(0, b.openMatrices(), "the pass must free its work space");
    }

    double f0 = objective(spec, p, x, shift, y, w);
    assertEquals(f0, loss0, 1e-5 * Math.max(1, Math.abs(f0)), "returned loss Σ w·l");

    double[] fd = new double[n];
    double maxFd = 0;
    for (int i = 0; i < n; i++) {
      double h = 1e-6;
      double[] plus = p.clone();
      double[] minus = p.clone();
      plus[i] += h;
      minus[i] -= h;
      fd[i] = GRAD_SCALE * (objective(spec, plus, x, shift, y, w) - objective(spec, minus, x, shift, y, w)) / (2 * h);
      maxFd = Math.max(maxFd, Math.abs(fd[i]));
    }
    int b0 = spec.biasOffset(0);
    for (int i = 0; i < n; i++) {
      boolean firstBias = i >= b0 && i < b0 + spec.layerOutputs(0);
      if (firstBias && !fitFirstBias) {
        assertTrue(got[i] == 0f, "fitFirstBias=false: gradient of first bias " + (i - b0) + " must be 0, got "
            + got[i]);
        continue;
      }
      double tol = 1e-3 * Math.abs(fd[i]) + 1e-4 * Math.max(1, maxFd);
      if (!(Math.abs(got[i] - fd[i]) <= tol)) {
        fail("parameter " + i + " (" + describe(spec, i) + "): gradient " + got[i] + ", finite difference " + fd[i]
            + ", tolerance " + tol);
      }
    }
  }

  private static CsrMatrix sparseOf(ComputeBackend b, float[] dense, int rows) {
    // non-zeros of each row in descending column order: unsorted indices are allowed
    int[] rowPtr = new int[rows + 1];
    List<Integer> cols = new ArrayList<>();
    List<Float> vals = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      for (int j = D - 1; j >= 0; j--) {
        if (dense[i * D + j] != 0f) {
          cols.add(j);
          vals.add(dense[i * D + j]);
        }
      }
      rowPtr[i + 1] = cols.size();
    }
    int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
    float[] v = new float[vals.size()];
    for (int q = 0; q < v.length; q++) {
      v[q] = vals.get(q);
    }
    return b.uploadCsr(rows, D, rowPtr, c, v);
  }

  private static String describe(NetworkSpec spec, int i) {
    for (int l = spec.numLayers() - 1; l >= 0; l--) {
      if (i >= spec.biasOffset(l)) {
        return "b" + l + "[" + (i - spec.biasOffset(l)) + "]";
      }
      if (i >= spec.weightOffset(l)) {
        return "W" + l + "[" + (i - spec.weightOffset(l)) + "]";
      }
    }
    return "?";
  }

  @Test
  void aMiniBatchLargerThanTheWorkSpaceIsRefused() {
    NetworkSpec spec = NetworkSpec.linear(3, 1, Loss.SQUARED_ERROR);
    try (CpuBackend b = new CpuBackend();
        NetworkPass pass = new NetworkPass(b, spec, 4, new float[3], true);
        DenseMatrix x = b.allocate(5, 3);
        DenseMatrix params = b.allocate(1, 4)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> pass.forward(x, null, params));
      assertTrue(e.getMessage().contains("5") && e.getMessage().contains("4"), e.getMessage());
    }
  }
}
