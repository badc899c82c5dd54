package io.sparkgpu.ml;

import java.io.Serializable;

/**
 * What a fit reports about itself: the objective after each epoch (MLlib's {@code objectiveHistory}, here one entry
 * per epoch), the number of epochs run ({@code totalIterations}), and the seconds and rows per second of training.
 * Kept by the model that the fit returned; not saved with it (as in MLlib).
 */
public final class TrainingSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] objectiveHistory;
  private final double[] epochSeconds;
  private final double rowsPerSecond;
  private final boolean converged;

  public TrainingSummary(double[] objectiveHistory, double[] epochSeconds, double rowsPerSecond, boolean converged) {
    this.objectiveHistory = objectiveHistory.clone();
    this.epochSeconds = epochSeconds.clone();
    this.rowsPerSecond = rowsPerSecond;
    this.converged = converged;
  }

  public static TrainingSummary of(io.sparkgpu.train.TrainingResult r) {
    return new TrainingSummary(r.objectiveHistory(), r.epochSeconds(), r.rowsPerSecond(), r.converged());
  }

  /** Objective (mean weighted training loss during the epoch plus the penalty) after each epoch. */
  public double[] objectiveHistory() {
    return objectiveHistory.clone();
  }

  /** Epochs run. */
  public int totalIterations() {
    return objectiveHistory.length;
  }

  public double[] epochSeconds() {
    return epochSeconds.clone();
  }

  public double rowsPerSecond() {
    return rowsPerSecond;
  }

  /** True when training stopped early because the objective changed by less than {@code tol}. */
  public boolean converged() {
    return converged;
  }
}
