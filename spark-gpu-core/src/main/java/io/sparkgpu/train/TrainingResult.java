package io.sparkgpu.train;

/**
 * The outcome of a fit on the driver: parameters in the trained (scaled) space — the best epoch's when early
 * stopping chose one — and per epoch the objective (mean training loss over the epoch's mini-batches plus the
 * penalty at the averaged parameters), the validation loss and metric of the parameters after that epoch (NaN
 * without validation rows), seconds and rows trained.
 */
public record TrainingResult(float[] params, double[] objectiveHistory, double[] validationLossHistory,
    double[] validationMetricHistory, double[] epochSeconds, long rowsPerEpoch, int epochs, boolean converged,
    int bestEpoch, boolean stoppedEarly) {

  /** A result without validation: best epoch is the last. */
  public static TrainingResult withoutValidation(float[] params, double[] objectiveHistory, double[] epochSeconds,
      long rowsPerEpoch, boolean converged) {
    double[] none = new double[objectiveHistory.length];
    java.util.Arrays.fill(none, Double.NaN);
    return new TrainingResult(params, objectiveHistory, none, none.clone(), epochSeconds, rowsPerEpoch,
        objectiveHistory.length, converged, objectiveHistory.length, false);
  }

  /** Rows per second over all epochs. */
  public double rowsPerSecond() {
    double s = 0;
    for (double t : epochSeconds) {
      s += t;
    }
    return s > 0 ? rowsPerEpoch * (double) epochs / s : Double.NaN;
  }
}
