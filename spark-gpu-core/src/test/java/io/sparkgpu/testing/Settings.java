package io.sparkgpu.testing;

import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.train.InputScaling;
import io.sparkgpu.train.LearningRateSchedule;
import io.sparkgpu.train.NetworkSpec;
import io.sparkgpu.train.TrainingConfig;
import io.sparkgpu.train.TrainingSettings;

/**
 * The one place the tests build {@link TrainingSettings} and {@link TrainingConfig}: fluent, with defaults, so a new
 * field in either record is handled here once. Defaults: SGD, learning rate 0.1 not scaled with workers, momentum 0,
 * batch 32, 10 epochs, constant schedule, seed 42, no regularisation, standardization and intercept on, 1 GiB dense
 * budget, one pass per epoch (minStepsPerEpoch 1).
 */
public final class Settings {
  private OptimizerKind optimizer = OptimizerKind.SGD;
  private double learningRate = 0.1;
  private boolean scaleWithWorkers;
  private double momentum;
  private int batchSize = 32;
  private int epochs = 10;
  private LearningRateSchedule schedule = LearningRateSchedule.CONSTANT;
  private long seed = 42;
  private double regParam;
  private double elasticNetParam;
  private boolean standardization = true;
  private boolean fitIntercept = true;
  private long maxDenseBytes = 1L << 30;
  private int minStepsPerEpoch = 1;

  public static Settings create() {
    return new Settings();
  }

  public Settings optimizer(OptimizerKind v) {
    optimizer = v;
    return this;
  }

  public Settings learningRate(double v) {
    learningRate = v;
    return this;
  }

  public Settings scaleWithWorkers(boolean v) {
    scaleWithWorkers = v;
    return this;
  }

  public Settings momentum(double v) {
    momentum = v;
    return this;
  }

  public Settings batchSize(int v) {
    batchSize = v;
    return this;
  }

  public Settings epochs(int v) {
    epochs = v;
    return this;
  }

  public Settings schedule(LearningRateSchedule v) {
    schedule = v;
    return this;
  }

  public Settings seed(long v) {
    seed = v;
    return this;
  }

  public Settings regParam(double v) {
    regParam = v;
    return this;
  }

  public Settings elasticNetParam(double v) {
    elasticNetParam = v;
    return this;
  }

  public Settings standardization(boolean v) {
    standardization = v;
    return this;
  }

  public Settings fitIntercept(boolean v) {
    fitIntercept = v;
    return this;
  }

  public Settings maxDenseBytes(long v) {
    maxDenseBytes = v;
    return this;
  }

  public TrainingSettings settings() {
    return new TrainingSettings(optimizer, learningRate, scaleWithWorkers, momentum, batchSize, epochs, schedule,
        seed, regParam, elasticNetParam, standardization, fitIntercept, maxDenseBytes, minStepsPerEpoch);
  }

  /**
   * A config for {@code spec} built directly (no {@link io.sparkgpu.train.FitPlan}): labels untouched, the given
   * scaling, per-parameter L2 and L1, and whether the first layer's bias trains.
   */
  public TrainingConfig config(NetworkSpec spec, InputScaling scaling, float[] l2, float[] l1,
      boolean fitFirstBias) {
    return new TrainingConfig(spec, scaling, 0.0, 1.0, optimizer, (float) learningRate, (float) momentum, batchSize,
        epochs, schedule, seed, l2, l1, maxDenseBytes, fitFirstBias, minStepsPerEpoch);
  }
}
