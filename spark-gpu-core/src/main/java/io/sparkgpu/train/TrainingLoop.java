package io.sparkgpu.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of training: per epoch, hand the parameters to every partition, average what comes back
 * (weighted by rows), record the objective, stop when it changes by less than {@code tol} or the epochs run out,
 * and refuse to return parameters once training has diverged. Holds no state across fits.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private TrainingLoop() {}

  /**
   * Trains from {@code initialParams} for at most {@code config.epochs()} epochs.
   *
   * @param name the estimator's name for job descriptions and logs, e.g. "LogisticRegression"
   * @param tol relative change of the objective, |previous - current| / |current|, at or below which training
   *     stops (0 runs every epoch)
   */
  public static TrainingResult fit(String name, TrainingConfig config, float[] initialParams, EpochRunner runner,
      double tol) {
    int n = config.spec().numParams();
    if (initialParams.length != n) {
      throw new IllegalArgumentException("Dimensions mismatch: expecting " + n + " initial parameters but got "
          + initialParams.length);
    }
    float[] params = initialParams.clone();
    float[] state = new float[n * config.optimizer().stateSlots()];
    double steps = 0;
    List<Double> history = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    long rows = 0;
    boolean converged = false;
    String previousLoss = "";
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      long t0 = System.nanoTime();
      String description = name + " epoch " + epoch + "/" + config.epochs() + previousLoss;
      List<PartitionUpdate> updates = runner.runEpoch(new EpochInput(epoch, params, state, steps), description);
      ParameterAverager.Averaged avg = ParameterAverager.average(updates);
      double objective = avg.meanLoss() + config.penalty(avg.params());
      if (!Double.isFinite(objective) || !allFinite(avg.params())) {
        throw new IllegalStateException(name + " diverged in epoch " + epoch + ": the training objective became "
            + objective + " with learningRate " + config.learningRate()
            + " (after scaling for the number of workers); lower learningRate or standardize the features");
      }
      params = avg.params();
      state = avg.state();
      steps += avg.steps();
      rows = avg.rows();
      double secs = (System.nanoTime() - t0) / 1e9;
      history.add(objective);
      seconds.add(secs);
      LOG.info("{} epoch {}/{}: objective {} over {} rows in {} s ({} rows/s) on {} ({}, {} partitions)", name,
          epoch, config.epochs(), String.format("%.6f", objective), rows, String.format("%.3f", secs),
          String.format("%.0f", rows / secs), backends(updates), runner.backendDescription(), updates.size());
      previousLoss = String.format(", loss %.4f", objective);
      int e = history.size();
      if (tol > 0 && e >= 2) {
        double prev = history.get(e - 2);
        // Relative, as MLlib's: an absolute test stops too early when the objective is small (a well-fitted
        // regression), while the step size is still large.
        if (Math.abs(prev - objective) <= tol * Math.abs(objective)) {
          converged = true;
          LOG.info("{} converged after epoch {}: objective changed by {} (tol {})", name, epoch,
              Math.abs(prev - objective), tol);
          break;
        }
      }
    }
    return new TrainingResult(params, toArray(history), toArray(seconds), rows, history.size(), converged);
  }

  /** The backends the partitions trained on, e.g. "cpu" or "cuda:0, cuda:1", in partition order. */
  static String backends(List<PartitionUpdate> updates) {
    Set<String> names = new LinkedHashSet<>();
    updates.stream().sorted(Comparator.comparingInt(PartitionUpdate::partition))
        .forEach(u -> names.add(u.backend()));
    return String.join(", ", names);
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  private static double[] toArray(List<Double> list) {
    double[] a = new double[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }
}
