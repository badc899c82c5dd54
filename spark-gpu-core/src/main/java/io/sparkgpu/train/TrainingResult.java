package io.sparkgpu.train;

/**
 * The outcome of a fit on the driver: parameters in the trained (scaled) space, and per epoch the objective
 * (mean training loss over the epoch's mini-batches plus the penalty at the averaged parameters), seconds and rows
 * trained.
 */
public record TrainingResult(float[] params, double[] objectiveHistory, double[] epochSeconds, long rowsPerEpoch,
    int epochs, boolean converged) {

  /** Rows per second over all epochs. */
  public double rowsPerSecond() {
    double s = 0;
    for (double t : epochSeconds) {
      s += t;
    }
    return s > 0 ? rowsPerEpoch * (double) epochs / s : Double.NaN;
  }
}
