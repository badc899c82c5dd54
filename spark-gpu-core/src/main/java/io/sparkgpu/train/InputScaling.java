package io.sparkgpu.train;

import java.io.Serializable;

/**
 * How the first layer sees the features: the engine trains on x̃_j = s_j·x_j - m_j, where s_j scales feature j
 * to unit variance and m_j centres it (m_j = s_j·mean_j when centring, else 0). The scaling is applied to the data
 * once when it is made resident; the centring is applied through the first layer's bias, so sparse data stays
 * sparse. {@link #toRaw} turns parameters trained this way into parameters for the raw features.
 */
public final class InputScaling implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] scale;
  private final float[] shift;

  public InputScaling(float[] scale, float[] shift) {
    if (scale.length != shift.length) {
      throw new IllegalArgumentException("scale has " + scale.length + " entries, shift " + shift.length);
    }
    this.scale = scale.clone();
    this.shift = shift.clone();
  }

  /** No scaling at all: s = 1, m = 0. */
  public static InputScaling identity(int features) {
    float[] ones = new float[features];
    java.util.Arrays.fill(ones, 1f);
    return new InputScaling(ones, new float[features]);
  }

  /**
   * Unit-variance scaling from feature means and standard deviations. A constant feature gets s = 0 (its
   * coefficient stays 0, as in MLlib) unless {@code fitIntercept} is false and it is a non-zero constant, which then
   * acts as the intercept and is scaled to 1.
   */
  public static InputScaling fromStatistics(double[] mean, double[] std, boolean center, boolean fitIntercept) {
    int d = mean.length;
    float[] s = new float[d];
    float[] m = new float[d];
    for (int j = 0; j < d; j++) {
      double sj;
      if (std[j] > 0) {
        sj = 1.0 / std[j];
      } else if (!fitIntercept && mean[j] != 0) {
        sj = 1.0 / Math.abs(mean[j]);
      } else {
        sj = 0.0;
      }
      s[j] = (float) sj;
      m[j] = center && std[j] > 0 ? (float) (sj * mean[j]) : 0f;
    }
    return new InputScaling(s, m);
  }

  public int features() {
    return scale.length;
  }

  public float[] scale() {
    return scale.clone();
  }

  public float[] shift() {
    return shift.clone();
  }

  public boolean centers() {
    for (float v : shift) {
      if (v != 0f) {
        return true;
      }
    }
    return false;
  }

  /**
   * The inverse of {@link #toRaw}: parameters for the scaled features from raw-feature ones. A feature with s_j = 0
   * is ignored by training, so its weights start at 0.
   */
  public float[] fromRaw(NetworkSpec spec, double[] raw) {
    float[] trained = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      trained[i] = (float) raw[i];
    }
    int d = spec.inputs();
    int k = spec.layerOutputs(0);
    int w0 = spec.weightOffset(0);
    int b0 = spec.biasOffset(0);
    double[] bias = new double[k];
    for (int c = 0; c < k; c++) {
      bias[c] = raw[b0 + c];
    }
    for (int j = 0; j < d; j++) {
      for (int c = 0; c < k; c++) {
        double w = scale[j] != 0f ? raw[w0 + j * k + c] / scale[j] : 0.0;
        trained[w0 + j * k + c] = (float) w;
        bias[c] += shift[j] * w;
      }
    }
    for (int c = 0; c < k; c++) {
      trained[b0 + c] = (float) bias[c];
    }
    return trained;
  }

  /**
   * Parameters for raw features from parameters trained on scaled ones: W0_raw[j,:] = s_j·W0[j,:] and
   * b0_raw = b0 - Σ_j m_j·W0[j,:]. Later layers are unchanged. Computed in double precision.
   */
  public double[] toRaw(NetworkSpec spec, float[] trained) {
    double[] raw = new double[trained.length];
    for (int i = 0; i < trained.length; i++) {
      raw[i] = trained[i];
    }
    int d = spec.inputs();
    int k = spec.layerOutputs(0);
    int w0 = spec.weightOffset(0);
    int b0 = spec.biasOffset(0);
    double[] bias = new double[k];
    for (int c = 0; c < k; c++) {
      bias[c] = trained[b0 + c];
    }
    for (int j = 0; j < d; j++) {
      for (int c = 0; c < k; c++) {
        double w = trained[w0 + j * k + c];
        raw[w0 + j * k + c] = scale[j] * w;
        bias[c] -= shift[j] * w;
      }
    }
    for (int c = 0; c < k; c++) {
      raw[b0 + c] = bias[c];
    }
    return raw;
  }
}
