package io.sparkgpu.train;

import java.util.List;

/**
 * Averages partition updates, weighted by each partition's row weight, in double precision and in partition order
 * (so the result does not depend on the order tasks finished in). Pure.
 */
public final class ParameterAverager {
  private ParameterAverager() {}

  /** The averaged parameters, optimizer state and step count of {@code updates}. */
  public static Averaged average(List<PartitionUpdate> updates) {
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("No partition returned an update");
    }
    List<PartitionUpdate> sorted = new java.util.ArrayList<>(updates);
    sorted.sort(java.util.Comparator.comparingInt(PartitionUpdate::partition));
    int n = sorted.get(0).params().length;
    int s = sorted.get(0).state().length;
    double[] p = new double[n];
    double[] st = new double[s];
    double total = 0;
    double steps = 0;
    double loss = 0;
    double lossWeight = 0;
    double validationLoss = 0;
    double validationWeight = 0;
    double validationMetric = 0;
    long rows = 0;
    for (PartitionUpdate u : sorted) {
      if (u.params().length != n || u.state().length != s) {
        throw new IllegalArgumentException("Dimensions mismatch in partition " + u.partition() + ": expecting "
            + n + " parameters and " + s + " state values but got " + u.params().length + " and "
            + u.state().length);
      }
      validationLoss += u.validationLoss();
      validationWeight += u.validationWeight();
      validationMetric += u.validationMetric();
      double w = u.weightSum();
      if (w <= 0) {
        continue;
      }
      total += w;
      for (int i = 0; i < n; i++) {
        p[i] += w * u.params()[i];
      }
      for (int i = 0; i < s; i++) {
        st[i] += w * u.state()[i];
      }
      steps += w * u.steps();
      loss += u.lossSum();
      lossWeight += u.lossWeight();
      rows += u.rows();
    }
    if (total <= 0) {
      throw new IllegalArgumentException("Every partition has zero total weight; nothing to average");
    }
    float[] params = new float[n];
    for (int i = 0; i < n; i++) {
      params[i] = (float) (p[i] / total);
    }
    float[] state = new float[s];
    for (int i = 0; i < s; i++) {
      state[i] = (float) (st[i] / total);
    }
    return new Averaged(params, state, steps / total, lossWeight > 0 ? loss / lossWeight : Double.NaN, rows,
        validationWeight > 0 ? validationLoss / validationWeight : Double.NaN,
        validationWeight > 0 ? validationMetric / validationWeight : Double.NaN);
  }

  /**
   * The averaged result: parameters, state, mean local steps, mean training loss, rows seen, and at the round's
   * input parameters the mean validation loss and mean validation metric (NaN without validation rows).
   */
  public record Averaged(float[] params, float[] state, double steps, double meanLoss, long rows,
      double validationLoss, double validationMetric) {}
}
