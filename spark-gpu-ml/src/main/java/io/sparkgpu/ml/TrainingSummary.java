package io.sparkgpu.ml;

import io.sparkgpu.train.TrainingResult;
import java.io.Serializable;

/**
 * What a fit reports about itself, per epoch: the objective (MLlib's {@code objectiveHistory}: mean weighted
 * training loss during the epoch plus the penalty), and with a validation indicator column the validation loss and
 * metric (accuracy for classifiers, RMSE for regression) of the parameters after that epoch; seconds per epoch and
 * rows per second; and the rows that {@code handleInvalid=skip} dropped. Kept by the model that the fit returned;
 * not saved with it (as in MLlib).
 */
public final class TrainingSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] objectiveHistory;
  private final double[] validationLossHistory;
  private final double[] validationMetricHistory;
  private final double[] epochSeconds;
  private final long rowsPerEpoch;
  private final boolean converged;
  private final int bestEpoch;
  private final boolean stoppedEarly;
  private final java.util.Map<String, Long> skippedRows;

  private TrainingSummary(TrainingResult r, java.util.Map<String, Long> skipped) {
    this.objectiveHistory = r.objectiveHistory().clone();
    this.validationLossHistory = r.validationLossHistory().clone();
    this.validationMetricHistory = r.validationMetricHistory().clone();
    this.epochSeconds = r.epochSeconds().clone();
    this.rowsPerEpoch = r.rowsPerEpoch();
    this.converged = r.converged();
    this.bestEpoch = r.bestEpoch();
    this.stoppedEarly = r.stoppedEarly();
    this.skippedRows = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(skipped));
  }

  public static TrainingSummary of(TrainingResult r) {
    return new TrainingSummary(r, java.util.Map.of());
  }

  /** With the rows that handleInvalid=skip dropped, by reason. */
  public static TrainingSummary of(TrainingResult r, java.util.Map<String, Long> skipped) {
    return new TrainingSummary(r, skipped);
  }

  /** Rows dropped as invalid under handleInvalid=skip (0 under error), training and validation rows together. */
  public long skippedRows() {
    long n = 0;
    for (long c : skippedRows.values()) {
      n += c;
    }
    return n;
  }

  /** Rows dropped as invalid, by reason (e.g. "null label" -> 3); empty when none was dropped. */
  public java.util.Map<String, Long> skippedRowsByReason() {
    return skippedRows;
  }

  /** Objective after each epoch. */
  public double[] objectiveHistory() {
    return objectiveHistory.clone();
  }

  /** Epochs run. */
  public int totalIterations() {
    return objectiveHistory.length;
  }

  /** Validation loss after each epoch (NaN without validationIndicatorCol). */
  public double[] validationLossHistory() {
    return validationLossHistory.clone();
  }

  /** Validation accuracy (classifiers) or RMSE (regression) after each epoch (NaN without validation rows). */
  public double[] validationMetricHistory() {
    return validationMetricHistory.clone();
  }

  public double[] epochSeconds() {
    return epochSeconds.clone();
  }

  /** Training rows per second of each epoch. */
  public double[] rowsPerSecond() {
    double[] r = new double[epochSeconds.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = epochSeconds[i] > 0 ? rowsPerEpoch / epochSeconds[i] : Double.NaN;
    }
    return r;
  }

  /** True when training stopped because the objective changed by less than {@code tol}. */
  public boolean converged() {
    return converged;
  }

  /** The epoch (from 1) whose parameters the model holds: the best one under early stopping, else the last. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** True when early stopping ended training. */
  public boolean stoppedEarly() {
    return stoppedEarly;
  }
}
