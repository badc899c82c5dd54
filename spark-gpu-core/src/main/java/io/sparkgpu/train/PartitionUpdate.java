package io.sparkgpu.train;

import java.io.Serializable;

/**
 * What one partition's round returns to the driver: its parameters and optimizer state afterwards, the weight of its
 * training rows (the averaging weight), the weighted training loss summed over its mini-batches and the weight they
 * covered, counts, the name of the backend it trained on ({@code cpu}, {@code cuda:0}) for the driver's epoch log,
 * and (for an evaluation round) the validation sums at the input parameters (weighted loss, weight, and the weighted
 * metric sum: correct predictions for classifiers, squared error for regression).
 */
public record PartitionUpdate(int partition, float[] params, float[] state, double weightSum, double lossSum,
    double lossWeight, long rows, long steps, double seconds, String backend, double validationLoss,
    double validationWeight, double validationMetric) implements Serializable {

  /** A training round's update, without validation sums. */
  public PartitionUpdate(int partition, float[] params, float[] state, double weightSum, double lossSum,
      double lossWeight, long rows, long steps, double seconds, String backend) {
    this(partition, params, state, weightSum, lossSum, lossWeight, rows, steps, seconds, backend, 0, 0, 0);
  }

  /** A training round's update from an unnamed backend, without validation sums. */
  public PartitionUpdate(int partition, float[] params, float[] state, double weightSum, double lossSum,
      double lossWeight, long rows, long steps, double seconds) {
    this(partition, params, state, weightSum, lossSum, lossWeight, rows, steps, seconds, "unknown");
  }
}
