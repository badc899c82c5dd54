package io.sparkgpu.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of training: per averaging round, hand the parameters to every partition and average what comes
 * back (weighted by rows); per epoch record the objective and, with validation rows, their loss and metric; stop
 * when the objective changes by less than {@code tol}, when the validation loss has not improved for
 * {@code earlyStoppingPatience} epochs (returning the best epoch's parameters), or when the epochs run out; and
 * refuse to return parameters once training has diverged. Holds no state across fits.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private TrainingLoop() {}

  /** Trains with only a convergence tolerance (see {@link TrainingControls#tolerance}). */
  public static TrainingResult fit(String name, TrainingConfig config, float[] initialParams, EpochRunner runner,
      double tol) {
    return fit(name, config, initialParams, runner, TrainingControls.tolerance(tol));
  }

  /** Trains without checkpoints. */
  public static TrainingResult fit(String name, TrainingConfig config, float[] initialParams, EpochRunner runner,
      TrainingControls controls) {
    return fit(name, config, initialParams, runner, controls, Checkpointer.NONE);
  }

  /**
   * Trains from {@code initialParams} for at most {@code config.epochs()} epochs, or resumes from the checkpoint
   * {@code checkpoints} holds (its state after epoch k, from which epoch k + 1 runs exactly as it would have), saving
   * the state after the epochs it asks for.
   *
   * @param name the estimator's name for job descriptions and logs, e.g. "LogisticRegression"
   */
  public static TrainingResult fit(String name, TrainingConfig config, float[] initialParams, EpochRunner runner,
      TrainingControls controls, Checkpointer checkpoints) {
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
    double[] validationLoss = new double[config.epochs()];
    double[] validationMetric = new double[config.epochs()];
    Arrays.fill(validationLoss, Double.NaN);
    Arrays.fill(validationMetric, Double.NaN);
    double bestLoss = Double.POSITIVE_INFINITY;
    float[] bestParams = null;
    int bestEpoch = 0;
    long rows = 0;
    boolean converged = false;
    boolean stoppedEarly = false;
    int firstEpoch = 1;
    TrainingCheckpoint resumed = checkpoints.latest();
    if (resumed != null) {
      if (resumed.params().length != n || resumed.state().length != state.length
          || resumed.epoch() > config.epochs()) {
        throw new IllegalArgumentException("Checkpoint in " + checkpoints.location() + " holds " + resumed.epoch()
            + " epochs of " + resumed.params().length + " parameters and " + resumed.state().length + " state values "
            + "but this fit has " + config.epochs() + " epochs of " + n + " and " + state.length + "; set "
            + "checkpointDir to another directory");
      }
      params = resumed.params().clone();
      state = resumed.state().clone();
      steps = resumed.steps();
      for (int e = 0; e < resumed.epoch(); e++) {
        history.add(resumed.objectiveHistory()[e]);
        seconds.add(resumed.epochSeconds()[e]);
        validationLoss[e] = resumed.validationLoss()[e];
        validationMetric[e] = resumed.validationMetric()[e];
      }
      bestLoss = resumed.bestLoss();
      bestEpoch = resumed.bestEpoch();
      bestParams = resumed.bestParams() != null ? resumed.bestParams().clone() : null;
      rows = resumed.rows();
      converged = resumed.converged();
      stoppedEarly = resumed.stoppedEarly();
      firstEpoch = resumed.epoch() + 1;
      LOG.info("{} resumes after epoch {}/{} from its checkpoint in {} (objective {})", name, resumed.epoch(),
          config.epochs(), checkpoints.location(), String.format("%.6f", history.get(history.size() - 1)));
    }
    int rounds = controls.averagingFrequency();
    for (int epoch = firstEpoch; epoch <= config.epochs() && !converged && !stoppedEarly; epoch++) {
      String previousLoss = history.isEmpty() ? "" : String.format(", loss %.4f", history.get(history.size() - 1));
      long t0 = System.nanoTime();
      double lossSum = 0;
      List<PartitionUpdate> updates = List.of();
      for (int round = 0; round < rounds; round++) {
        String description = name + " epoch " + epoch + "/" + config.epochs()
            + (rounds > 1 ? " round " + (round + 1) + "/" + rounds : "") + previousLoss;
        updates = runner.runEpoch(new EpochInput(epoch, round, rounds, params, state, steps, true), description);
        ParameterAverager.Averaged avg = ParameterAverager.average(updates);
        params = avg.params();
        state = avg.state();
        steps += avg.steps();
        rows = avg.rows();
        lossSum += avg.meanLoss();
      }
      double objective = lossSum / rounds + config.penalty(params);
      if (!Double.isFinite(objective) || !allFinite(params)) {
        throw new IllegalStateException(name + " diverged in epoch " + epoch + ": the training objective became "
            + objective + " with learningRate " + config.learningRate()
            + " (after scaling for the number of workers); lower learningRate or standardize the features");
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      history.add(objective);
      seconds.add(secs);
      LOG.info("{} epoch {}/{}: objective {} over {} rows in {} s ({} rows/s) on {} ({}, {} partitions)", name,
          epoch, config.epochs(), String.format("%.6f", objective), rows, String.format("%.3f", secs),
          String.format("%.0f", rows / Math.max(secs, 1e-9)), backends(updates), runner.backendDescription(),
          updates.size());
      previousLoss = String.format(", loss %.4f", objective);
      if (controls.validating()) {
        // A light job over the held-out rows only measures the parameters after this epoch.
        ParameterAverager.Averaged held = ParameterAverager.average(runner.runEpoch(
            EpochInput.evaluation(epoch, params, state), name + " validation after epoch " + epoch));
        validationLoss[epoch - 1] = held.validationLoss();
        validationMetric[epoch - 1] = controls.report(held.validationMetric());
        LOG.info("{} epoch {}/{}: validation loss {}, {} {}", name, epoch, config.epochs(),
            String.format("%.6f", held.validationLoss()), controls.metric().name().toLowerCase(java.util.Locale.ROOT),
            String.format("%.4f", validationMetric[epoch - 1]));
        if (held.validationLoss() < bestLoss) {
          bestLoss = held.validationLoss();
          bestEpoch = epoch;
          bestParams = params;
        }
      }
      int e = history.size();
      if (controls.tol() > 0 && e >= 2) {
        double prev = history.get(e - 2);
        // Relative, as MLlib's: an absolute test stops too early when the objective is small (a well-fitted
        // regression), while the step size is still large.
        if (Math.abs(prev - objective) <= controls.tol() * Math.abs(objective)) {
          converged = true;
          LOG.info("{} converged after epoch {}: objective changed by {} (tol {})", name, epoch,
              Math.abs(prev - objective), controls.tol());
        }
      }
      if (!converged && controls.earlyStoppingPatience() > 0 && bestEpoch > 0
          && epoch - bestEpoch >= controls.earlyStoppingPatience()) {
        stoppedEarly = true;
        LOG.info("{} stops early after epoch {}: the validation loss has not improved on epoch {}'s {} for {} "
            + "epochs (earlyStoppingPatience {})", name, epoch, bestEpoch, String.format("%.6f", bestLoss),
            epoch - bestEpoch, controls.earlyStoppingPatience());
      }
      if (checkpoints.wants(epoch) && epoch < config.epochs() && !converged && !stoppedEarly) {
        checkpoints.save(new TrainingCheckpoint(null, epoch, params, state, steps, toArray(history),
            toArray(seconds), Arrays.copyOf(validationLoss, epoch), Arrays.copyOf(validationMetric, epoch), bestLoss,
            bestEpoch, bestParams, rows, false, false));
      }
    }
    int epochs = history.size();
    boolean useBest = controls.earlyStoppingPatience() > 0 && bestParams != null;
    TrainingResult result = new TrainingResult(useBest ? bestParams : params, toArray(history),
        Arrays.copyOf(validationLoss, epochs), Arrays.copyOf(validationMetric, epochs), toArray(seconds), rows,
        epochs, converged, useBest ? bestEpoch : epochs, stoppedEarly);
    checkpoints.finished();
    return result;
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
