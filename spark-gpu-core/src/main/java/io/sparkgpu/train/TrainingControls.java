package io.sparkgpu.train;

/**
 * How the driver runs the epochs, beside the per-task {@link TrainingConfig}.
 *
 * @param tol relative change of the objective at or below which training stops (0: never)
 * @param averagingFrequency averaging rounds per epoch (1: once per epoch)
 * @param earlyStoppingPatience stop after this many epochs without a better validation loss (0: never); the
 *     parameters of the best epoch are returned
 * @param validating whether there are validation rows to evaluate
 * @param metric what the validation metric means
 * @param labelScale labels were trained as (y - shift)·labelScale; an RMSE is reported in the label's own units
 */
public record TrainingControls(double tol, int averagingFrequency, int earlyStoppingPatience, boolean validating,
    Metric metric, double labelScale) {

  /** The validation metric. */
  public enum Metric {
    ACCURACY,
    RMSE
  }

  public TrainingControls {
    if (averagingFrequency < 1 || earlyStoppingPatience < 0 || tol < 0) {
      throw new IllegalArgumentException("averagingFrequency must be >= 1, earlyStoppingPatience >= 0 and tol >= 0 "
          + "but were " + averagingFrequency + ", " + earlyStoppingPatience + ", " + tol);
    }
  }

  /** Only a convergence tolerance: one average per epoch, no validation. */
  public static TrainingControls tolerance(double tol) {
    return new TrainingControls(tol, 1, 0, false, Metric.ACCURACY, 1.0);
  }

  /** The reported metric from the mean of the per-row metric (accuracy, or mean squared error in trained units). */
  double report(double meanRowMetric) {
    return metric == Metric.ACCURACY ? meanRowMetric : Math.sqrt(meanRowMetric) / labelScale;
  }
}
