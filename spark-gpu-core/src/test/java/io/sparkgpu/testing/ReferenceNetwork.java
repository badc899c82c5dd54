package io.sparkgpu.testing;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.train.NetworkSpec;

/**
 * A {@link NetworkSpec} evaluated plainly in double precision, for comparing the engine against: the same flat
 * parameter layout (per layer W, in x out row-major, then b), written without the engine's code.
 */
public final class ReferenceNetwork {
  private ReferenceNetwork() {}

  /** The last layer's outputs before the output transform, for one input row (already shifted/scaled). */
  public static double[] forward(NetworkSpec spec, double[] params, double[] input) {
    int[] layers = spec.layers();
    double[] in = input;
    int offset = 0;
    for (int l = 0; l + 1 < layers.length; l++) {
      int nIn = layers[l];
      int nOut = layers[l + 1];
      double[] out = new double[nOut];
      for (int c = 0; c < nOut; c++) {
        double z = params[offset + nIn * nOut + c];
        for (int j = 0; j < nIn; j++) {
          z += in[j] * params[offset + j * nOut + c];
        }
        out[c] = l + 2 < layers.length ? activate(spec.hiddenActivation(), z) : z;
      }
      offset += nIn * nOut + nOut;
      in = out;
    }
    return in;
  }

  public static double activate(Activation a, double z) {
    switch (a) {
      case IDENTITY:
        return z;
      case RELU:
        return z > 0 ? z : 0;
      case SIGMOID:
        return 1 / (1 + Math.exp(-z));
      case TANH:
        return Math.tanh(z);
      default:
        throw new AssertionError(a);
    }
  }

  /** log(1 + e^z), stable for any z. */
  public static double softplus(double z) {
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }

  /** The loss of one row with outputs {@code z} and label {@code y}, as {@link Loss} documents it. */
  public static double loss(Loss loss, double[] z, double y) {
    switch (loss) {
      case SQUARED_ERROR:
        return 0.5 * (z[0] - y) * (z[0] - y);
      case LOGISTIC:
        return softplus(z[0]) - y * z[0];
      case SOFTMAX_CROSS_ENTROPY: {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
          max = Math.max(max, v);
        }
        double s = 0;
        for (double v : z) {
          s += Math.exp(v - max);
        }
        return max + Math.log(s) - z[(int) y];
      }
      default:
        throw new AssertionError(loss);
    }
  }

  public static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }
}
