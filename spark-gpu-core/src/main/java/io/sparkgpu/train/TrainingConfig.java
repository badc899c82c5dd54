package io.sparkgpu.train;

import io.sparkgpu.backend.OptimizerKind;
import java.io.Serializable;

/**
 * Everything a partition trainer needs besides parameters and data, fixed for one fit and shipped to executors.
 *
 * @param spec the network
 * @param scaling how features are scaled and centred
 * @param labelShift labels are trained as (y - labelShift)·labelScale
 * @param labelScale see labelShift
 * @param optimizer update rule
 * @param learningRate step size at the start of the schedule, already multiplied for the number of workers
 * @param momentum SGD momentum (0 for plain SGD)
 * @param batchSize rows per mini-batch
 * @param epochs planned epochs (the schedule's horizon)
 * @param schedule learning-rate schedule
 * @param seed fit seed
 * @param l2 per-parameter L2 coefficient: the objective has 0.5·Σ l2_i·w_i²
 * @param l1 per-parameter L1 coefficient: the objective has Σ l1_i·|w_i|
 * @param maxDenseBytes budget for densifying sparse data (see {@link ResidentLayout#choose})
 * @param fitFirstBias whether the first layer's bias is trained (false: it stays at its initial value)
 * @param minStepsPerEpoch a partition with fewer mini-batches than this passes over its rows several times per
 *     epoch, so that small data still gets enough optimizer steps
 */
public record TrainingConfig(NetworkSpec spec, InputScaling scaling, double labelShift, double labelScale,
    OptimizerKind optimizer, float learningRate, float momentum, int batchSize, int epochs,
    LearningRateSchedule schedule, long seed, float[] l2, float[] l1, long maxDenseBytes,
    boolean fitFirstBias, int minStepsPerEpoch) implements Serializable {

  public TrainingConfig {
    int n = spec.numParams();
    if (l2.length != n || l1.length != n) {
      throw new IllegalArgumentException("Regularisation vectors have " + l2.length + " and " + l1.length
          + " entries for " + n + " parameters");
    }
    if (scaling.features() != spec.inputs()) {
      throw new IllegalArgumentException("Scaling for " + scaling.features() + " features, network takes "
          + spec.inputs());
    }
    if (batchSize < 1 || epochs < 1 || minStepsPerEpoch < 1) {
      throw new IllegalArgumentException("batchSize, epochs and minStepsPerEpoch must be positive: " + batchSize
          + ", " + epochs + ", " + minStepsPerEpoch);
    }
  }

  /** The regularisation term of the objective at {@code params}: 0.5·Σ l2_i·w_i² + Σ l1_i·|w_i|. */
  public double penalty(float[] params) {
    double s = 0;
    for (int i = 0; i < params.length; i++) {
      double w = params[i];
      s += 0.5 * l2[i] * w * w + l1[i] * Math.abs(w);
    }
    return s;
  }
}
