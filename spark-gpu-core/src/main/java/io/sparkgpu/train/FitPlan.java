package io.sparkgpu.train;

import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.Loss;
import java.util.Map;

/**
 * Turns the user's settings and the statistics of the batching pass into a {@link TrainingConfig} and initial
 * parameters, for the zero-hidden-layer models (linear, binomial and multinomial logistic regression). Pure.
 *
 * <p>The objective matches MLlib's: (1/Σw)·Σ w·loss + λ·(α‖β‖₁ + (1-α)/2‖β‖²), with β the coefficients of
 * standardised features when {@code standardization} is true and of raw features otherwise; linear regression also
 * standardises the label and divides λ by the label's standard deviation, as MLlib does. Training always runs on
 * scaled features; the penalty is moved onto the scaled coefficients.
 */
public record FitPlan(TrainingConfig config, float[] initialParams) {

  /** The kind of linear model. */
  public enum LinearKind {
    REGRESSION,
    BINOMIAL,
    MULTINOMIAL
  }

  /** Standard deviation MLlib uses for the label of a linear regression: its std, or |mean| if that is 0. */
  public static double labelStdForRegression(PartitionStatistics stats) {
    double std = stats.labelStd();
    return std > 0 ? std : Math.abs(stats.labelMean());
  }

  public static FitPlan linear(LinearKind kind, int numClasses, PartitionStatistics stats, TrainingSettings s,
      int numPartitions) {
    int d = stats.numFeatures();
    int k = kind == LinearKind.MULTINOMIAL ? numClasses : 1;
    Loss loss = kind == LinearKind.REGRESSION ? Loss.SQUARED_ERROR
        : kind == LinearKind.BINOMIAL ? Loss.LOGISTIC : Loss.SOFTMAX_CROSS_ENTROPY;
    NetworkSpec spec = NetworkSpec.linear(d, k, loss);
    double[] std = stats.featureStds();
    InputScaling scaling = InputScaling.fromStatistics(stats.featureMeans(), std, s.fitIntercept(),
        s.fitIntercept());

    double labelShift = 0;
    double labelScale = 1;
    double lambda = s.regParam();
    if (kind == LinearKind.REGRESSION) {
      double yStd = labelStdForRegression(stats);
      labelScale = yStd > 0 ? 1.0 / yStd : 1.0;
      labelShift = s.fitIntercept() ? stats.labelMean() : 0.0;
      lambda = yStd > 0 ? s.regParam() / yStd : s.regParam();
    }
    int n = spec.numParams();
    float[] l2 = new float[n];
    float[] l1 = new float[n];
    float[] scale = scaling.scale();
    double l2Base = lambda * (1 - s.elasticNetParam());
    double l1Base = lambda * s.elasticNetParam();
    for (int j = 0; j < d; j++) {
      // Penalty on raw coefficients β_j = s_j·β̃_j when not standardising.
      double f = s.standardization() ? 1.0 : scale[j];
      for (int c = 0; c < k; c++) {
        l2[spec.weightOffset(0) + j * k + c] = (float) (l2Base * f * f);
        l1[spec.weightOffset(0) + j * k + c] = (float) (l1Base * f);
      }
    }
    float[] init = new float[n];
    if (s.fitIntercept()) {
      double[] prior = priorLogits(kind, k, stats);
      for (int c = 0; c < k; c++) {
        init[spec.biasOffset(0) + c] = (float) prior[c];
      }
    }
    double lr = s.learningRate() * (s.scaleLearningRateWithWorkers() ? numPartitions : 1);
    TrainingConfig config = new TrainingConfig(spec, scaling, labelShift, labelScale, s.optimizer(), (float) lr,
        (float) s.momentum(), s.batchSize(), s.epochs(), s.schedule(), s.seed(), l2, l1, s.maxDenseBytes(),
        s.fitIntercept(), s.minStepsPerEpoch());
    return new FitPlan(config, init);
  }

  /**
   * A classifier with hidden layers ({@code layers} = inputs, hidden sizes..., classes), softmax output and
   * cross-entropy. Weights start seeded, scaled for the activation (He for relu, Xavier for sigmoid and tanh), or
   * from {@code initialRawWeights} (raw-feature space, the flat layout of {@link NetworkSpec}) when given; the output
   * bias starts at the class prior. L2 ({@code regParam}) applies to every weight, never to biases.
   */
  public static FitPlan network(int[] layers, Activation hidden, PartitionStatistics stats, TrainingSettings s,
      int numPartitions, double[] initialRawWeights) {
    NetworkSpec spec = new NetworkSpec(layers, hidden, Loss.SOFTMAX_CROSS_ENTROPY);
    InputScaling scaling = InputScaling.fromStatistics(stats.featureMeans(), stats.featureStds(), true, true);
    int n = spec.numParams();
    float[] l2 = new float[n];
    float[] scale = scaling.scale();
    for (int l = 0; l < spec.numLayers(); l++) {
      int in = spec.layerInputs(l);
      int out = spec.layerOutputs(l);
      for (int i = 0; i < in; i++) {
        double f = l == 0 && !s.standardization() ? scale[i] * (double) scale[i] : 1.0;
        for (int o = 0; o < out; o++) {
          l2[spec.weightOffset(l) + i * out + o] = (float) (s.regParam() * f);
        }
      }
    }
    float[] init;
    if (initialRawWeights != null) {
      if (initialRawWeights.length != n) {
        throw new IllegalArgumentException("initialWeights has " + initialRawWeights.length + " values but layers "
            + java.util.Arrays.toString(layers) + " need " + n + "; set initialWeights to match layers");
      }
      init = scaling.fromRaw(spec, initialRawWeights);
    } else {
      init = initialWeights(spec, s.seed());
      double[] prior = priorLogits(LinearKind.MULTINOMIAL, spec.outputs(), stats);
      int last = spec.numLayers() - 1;
      for (int c = 0; c < spec.outputs(); c++) {
        init[spec.biasOffset(last) + c] = (float) prior[c];
      }
    }
    double lr = s.learningRate() * (s.scaleLearningRateWithWorkers() ? numPartitions : 1);
    TrainingConfig config = new TrainingConfig(spec, scaling, 0.0, 1.0, s.optimizer(), (float) lr,
        (float) s.momentum(), s.batchSize(), s.epochs(), s.schedule(), s.seed(), l2, new float[n], s.maxDenseBytes(),
        true, s.minStepsPerEpoch());
    return new FitPlan(config, init);
  }

  /** Seeded weights scaled for the hidden activation: He (relu) or Xavier (sigmoid, tanh, identity); biases 0. */
  static float[] initialWeights(NetworkSpec spec, long seed) {
    float[] w = new float[spec.numParams()];
    java.util.Random random = new java.util.Random(SeedMixer.mix(seed, -1, -1));
    for (int l = 0; l < spec.numLayers(); l++) {
      int in = spec.layerInputs(l);
      int out = spec.layerOutputs(l);
      boolean relu = spec.hiddenActivation() == Activation.RELU && l + 1 < spec.numLayers();
      double std = relu ? Math.sqrt(2.0 / in) : Math.sqrt(2.0 / (in + out));
      for (int i = 0; i < in * out; i++) {
        w[spec.weightOffset(l) + i] = (float) (std * random.nextGaussian());
      }
    }
    return w;
  }

  /** Intercepts that predict the class prior before training (MLlib starts from the same point). */
  static double[] priorLogits(LinearKind kind, int k, PartitionStatistics stats) {
    double[] out = new double[k];
    if (kind == LinearKind.REGRESSION) {
      return out;
    }
    Map<Integer, Double> weights = stats.classWeights();
    double total = stats.weightSum();
    if (kind == LinearKind.BINOMIAL) {
      double w1 = weights.getOrDefault(1, 0.0);
      double w0 = total - w1;
      if (w1 > 0 && w0 > 0) {
        out[0] = Math.log(w1 / w0);
      }
      return out;
    }
    double mean = 0;
    for (int c = 0; c < k; c++) {
      // Half a row of smoothing keeps an absent class finite.
      out[c] = Math.log((weights.getOrDefault(c, 0.0) + 0.5) / (total + 0.5 * k));
      mean += out[c] / k;
    }
    for (int c = 0; c < k; c++) {
      out[c] -= mean;
    }
    return out;
  }
}
