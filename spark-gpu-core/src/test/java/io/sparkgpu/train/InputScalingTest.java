package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ReferenceNetwork;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link InputScaling}: the scale and shift chosen from statistics, and {@link InputScaling#toRaw}, whose parameters
 * on raw features must predict exactly what the trained parameters predict on scaled, centred features.
 */
class InputScalingTest {

  @Test
  void fromStatisticsScalesToUnitVarianceAndCentres() {
    double[] mean = {2, -4, 0, 5, 3};
    double[] std = {0.5, 4, 1, 0, 0};
    InputScaling centred = InputScaling.fromStatistics(mean, std, true, true);
    // s = 1/std; m = s·mean; constant features (std 0) get s = 0 and m = 0 when there is an intercept
    assertArrayEquals(new float[] {2f, 0.25f, 1f, 0f, 0f}, centred.scale());
    assertArrayEquals(new float[] {4f, -1f, 0f, 0f, 0f}, centred.shift());
    assertTrue(centred.centers());

    InputScaling plain = InputScaling.fromStatistics(mean, std, false, true);
    assertArrayEquals(new float[] {2f, 0.25f, 1f, 0f, 0f}, plain.scale());
    assertArrayEquals(new float[5], plain.shift());
    assertFalse(plain.centers());

    // without an intercept a non-zero constant feature is the intercept: scaled by 1/|mean| to 1
    InputScaling noIntercept = InputScaling.fromStatistics(new double[] {-4, 0}, new double[] {0, 0}, false, false);
    assertArrayEquals(new float[] {0.25f, 0f}, noIntercept.scale());
    assertArrayEquals(new float[2], noIntercept.shift());
  }

  @Test
  void identityChangesNothing() {
    InputScaling id = InputScaling.identity(3);
    assertArrayEquals(new float[] {1, 1, 1}, id.scale());
    assertArrayEquals(new float[3], id.shift());
    NetworkSpec spec = NetworkSpec.linear(3, 1, Loss.LOGISTIC);
    float[] p = {0.5f, -2f, 3f, 0.25f};
    assertArrayEquals(ReferenceNetwork.toDouble(p), id.toRaw(spec, p));
  }

  private static NetworkSpec spec(int hidden) {
    return hidden == 0 ? NetworkSpec.linear(6, 3, Loss.SOFTMAX_CROSS_ENTROPY)
        : new NetworkSpec(new int[] {6, 4, 3}, Activation.TANH, Loss.SOFTMAX_CROSS_ENTROPY);
  }

  @ParameterizedTest(name = "hidden layers: {0}")
  @ValueSource(ints = {0, 1})
  void rawParametersOnRawFeaturesPredictWhatTrainedOnesPredictOnScaledFeatures(int hidden) {
    Random r = new Random(10 + hidden);
    NetworkSpec spec = spec(hidden);
    int d = spec.inputs();
    float[] scale = new float[d];
    float[] shift = new float[d];
    for (int j = 0; j < d; j++) {
      scale[j] = j == 2 ? 0f : (float) (0.1 + 3 * r.nextDouble());
      shift[j] = j == 2 ? 0f : (float) (4 * r.nextDouble() - 2);
    }
    InputScaling scaling = new InputScaling(scale, shift);
    float[] trained = new float[spec.numParams()];
    for (int i = 0; i < trained.length; i++) {
      trained[i] = (float) r.nextGaussian();
    }
    double[] raw = scaling.toRaw(spec, trained);
    double[] trainedD = ReferenceNetwork.toDouble(trained);
    if (hidden > 0) {
      for (int i = spec.weightOffset(1); i < trained.length; i++) {
        assertEquals(trained[i], raw[i], "later layers are unchanged");
      }
    }
    for (int row = 0; row < 50; row++) {
      double[] x = new double[d];
      double[] xt = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = 10 * r.nextGaussian() + j;
        xt[j] = scale[j] * x[j] - shift[j];
      }
      double[] expected = ReferenceNetwork.forward(spec, trainedD, xt);
      double[] got = ReferenceNetwork.forward(spec, raw, x);
      for (int c = 0; c < expected.length; c++) {
        assertEquals(expected[c], got[c], 1e-9 * (1 + Math.abs(expected[c])), "row " + row + " output " + c);
      }
    }
  }

  @ParameterizedTest(name = "hidden layers: {0}")
  @ValueSource(ints = {0, 1})
  void theEnginesCentringThroughTheBiasMatchesRawParameters(int hidden) {
    // the engine holds s·x and applies -m through the first bias; its outputs must equal raw params on raw x
    Random r = new Random(20 + hidden);
    NetworkSpec spec = spec(hidden);
    int d = spec.inputs();
    int rows = 9;
    float[] scale = new float[d];
    float[] shift = new float[d];
    for (int j = 0; j < d; j++) {
      scale[j] = (float) (0.2 + r.nextDouble());
      shift[j] = (float) (2 * r.nextDouble() - 1);
    }
    InputScaling scaling = new InputScaling(scale, shift);
    float[] trained = new float[spec.numParams()];
    for (int i = 0; i < trained.length; i++) {
      trained[i] = (float) (0.5 * r.nextGaussian());
    }
    double[][] x = new double[rows][d];
    float[] scaled = new float[rows * d];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = (float) (2 * r.nextGaussian());
        scaled[i * d + j] = (float) (scale[j] * x[i][j]);
      }
    }
    float[] out = new float[rows * spec.outputs()];
    try (CpuBackend b = new CpuBackend();
        NetworkPass pass = new NetworkPass(b, spec, rows, shift, true);
        DenseMatrix xm = b.upload(scaled, 0, rows, d);
        DenseMatrix params = b.upload(trained, 0, 1, trained.length)) {
      b.read(pass.forward(xm, null, params), out, 0);
    }
    double[] raw = scaling.toRaw(spec, trained);
    for (int i = 0; i < rows; i++) {
      double[] expected = ReferenceNetwork.forward(spec, raw, x[i]);
      for (int c = 0; c < expected.length; c++) {
        assertEquals(expected[c], out[i * spec.outputs() + c], 1e-4 * (1 + Math.abs(expected[c])),
            "row " + i + " output " + c);
      }
    }
  }
}
