package io.sparkgpu.ml.param;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.StringArrayParam;

/**
 * The Params every spark-gpu trainer shares, each declared once here with its doc, default and validator. MLlib's
 * names and meanings where MLlib has them ({@code maxIter}, {@code tol}, {@code regParam}, ...); ours beside them
 * ({@code batchSize}, {@code learningRate}, {@code optimizer}, {@code device}, {@code numWorkers}, ...).
 */
public interface TrainerParams extends HasParamRegistry {

  default IntParam maxIter() {
    return paramRegistry().param("maxIter", owner -> new IntParam(owner, "maxIter",
        "number of epochs (passes over the data), >= 1. Default is 20.", Validators.atLeast(1)), 20);
  }

  default int getMaxIter() {
    return (Integer) value(maxIter());
  }

  default DoubleParam tol() {
    return paramRegistry().param("tol", owner -> new DoubleParam(owner, "tol",
        "stop when the epoch objective changes by at most tol relative to its value, >= 0. "
            + "Default is 1e-6.", Validators.atLeast(0)), 1e-6);
  }

  default double getTol() {
    return (Double) value(tol());
  }

  default DoubleParam regParam() {
    return paramRegistry().param("regParam", owner -> new DoubleParam(owner, "regParam",
        "regularization parameter λ, >= 0. Default is 0.0.", Validators.atLeast(0)), 0.0);
  }

  default double getRegParam() {
    return (Double) value(regParam());
  }

  default DoubleParam elasticNetParam() {
    return paramRegistry().param("elasticNetParam", owner -> new DoubleParam(owner, "elasticNetParam",
        "the ElasticNet mixing parameter α in [0, 1]: 0 is an L2 penalty, 1 is L1. Default is 0.0.",
        Validators.inRange(0, 1, true, true)), 0.0);
  }

  default double getElasticNetParam() {
    return (Double) value(elasticNetParam());
  }

  default BooleanParam fitIntercept() {
    return paramRegistry().param("fitIntercept", owner -> new BooleanParam(owner, "fitIntercept",
        "whether to fit an intercept term. Default is true."), true);
  }

  default boolean getFitIntercept() {
    return (Boolean) value(fitIntercept());
  }

  default BooleanParam standardization() {
    return paramRegistry().param("standardization", owner -> new BooleanParam(owner, "standardization",
        "whether to standardize the features before penalizing them (the model is always returned on the "
            + "original scale). Default is true."), true);
  }

  default boolean getStandardization() {
    return (Boolean) value(standardization());
  }

  default LongParam seed() {
    return paramRegistry().param("seed", owner -> new LongParam(owner, "seed",
        "random seed for shuffling and initialization. Default is the hash of the class name.", Validators.any()),
        (long) getClass().getName().hashCode());
  }

  default long getSeed() {
    return (Long) value(seed());
  }

  default Param<String> weightCol() {
    return paramRegistry().param("weightCol", owner -> new Param<String>(owner, "weightCol",
        "weight column name: rows weigh this much in the loss and the statistics. If not set or empty, every "
            + "row weighs 1.", Validators.any()), null);
  }

  default String getWeightCol() {
    return value(weightCol());
  }

  /** The weight column, or null when unset or empty. */
  default String weightColOrNull() {
    return isDefined(weightCol()) && !getWeightCol().isEmpty() ? getWeightCol() : null;
  }

  default Param<String> validationIndicatorCol() {
    return paramRegistry().param("validationIndicatorCol", owner -> new Param<String>(owner,
        "validationIndicatorCol", "boolean column: rows flagged true are held out of training; their loss and "
            + "metric (accuracy, or RMSE for regression) are measured after every epoch. Default is unset.",
        Validators.any()), null);
  }

  default String getValidationIndicatorCol() {
    return value(validationIndicatorCol());
  }

  /** The validation indicator column, or null when unset or empty. */
  default String validationColOrNull() {
    return isDefined(validationIndicatorCol()) && !getValidationIndicatorCol().isEmpty()
        ? getValidationIndicatorCol() : null;
  }

  default IntParam earlyStoppingPatience() {
    return paramRegistry().param("earlyStoppingPatience", owner -> new IntParam(owner, "earlyStoppingPatience",
        "with validationIndicatorCol: stop when the validation loss has not improved for this many epochs and return "
            + "the best epoch's model, >= 0 (0 never stops early). Default is 0.", Validators.atLeast(0)), 0);
  }

  default int getEarlyStoppingPatience() {
    return (Integer) value(earlyStoppingPatience());
  }

  default IntParam averagingFrequency() {
    return paramRegistry().param("averagingFrequency", owner -> new IntParam(owner, "averagingFrequency",
        "how many times per epoch the driver averages the workers' parameters, >= 1. Default is 1.",
        Validators.atLeast(1)), 1);
  }

  default int getAveragingFrequency() {
    return (Integer) value(averagingFrequency());
  }

  default StringArrayParam featuresCols() {
    return paramRegistry().param("featuresCols", owner -> new StringArrayParam(owner, "featuresCols",
        "numeric columns to use as features, in order, instead of featuresCol. Default is empty (use "
            + "featuresCol)."), new String[0]);
  }

  default String[] getFeaturesCols() {
    return (String[]) value(featuresCols());
  }

  default IntParam batchSize() {
    return paramRegistry().param("batchSize", owner -> new IntParam(owner, "batchSize",
        "rows per mini-batch on each worker, >= 1. Default is 1024 (128 for MultilayerPerceptronClassifier).", Validators.atLeast(1)), 1024);
  }

  default int getBatchSize() {
    return (Integer) value(batchSize());
  }

  default DoubleParam learningRate() {
    return paramRegistry().param("learningRate", owner -> new DoubleParam(owner, "learningRate",
        "initial step size of the optimizer, > 0; sgd and momentum multiply it by the number of workers "
            + "when each takes several steps per epoch. Default is 0.05 (0.002 for MultilayerPerceptronClassifier).", Validators.positive()), 0.05);
  }

  default double getLearningRate() {
    return (Double) value(learningRate());
  }

  default IntParam minStepsPerEpoch() {
    return paramRegistry().param("minStepsPerEpoch", owner -> new IntParam(owner, "minStepsPerEpoch",
        "optimizer steps each worker takes at least per epoch, >= 1: a partition with fewer mini-batches passes "
            + "over its rows several times, so that small data sets converge in few epochs. 1 means exactly one "
            + "pass. Default is 64.", Validators.atLeast(1)), 64);
  }

  default int getMinStepsPerEpoch() {
    return (Integer) value(minStepsPerEpoch());
  }

  default Param<String> optimizer() {
    return paramRegistry().param("optimizer", owner -> new Param<String>(owner, "optimizer",
        "update rule: sgd, momentum (SGD with momentum 0.9) or adam. Default is adam.",
        Validators.oneOf("sgd", "momentum", "adam")), "adam");
  }

  default String getOptimizer() {
    return value(optimizer());
  }

  default Param<String> learningRateSchedule() {
    return paramRegistry().param("learningRateSchedule", owner -> new Param<String>(owner, "learningRateSchedule",
        "how the step size moves over the epochs: constant, step (÷10 at 50% and 75%) or cosine (to 0). "
            + "Default is cosine.", Validators.oneOf("constant", "step", "cosine")), "cosine");
  }

  default String getLearningRateSchedule() {
    return value(learningRateSchedule());
  }

  default Param<String> device() {
    return paramRegistry().param("device", owner -> new Param<String>(owner, "device",
        "where to train: auto (a GPU when the task has one, else the CPU), cpu, or cuda (fail if no GPU). "
            + "Default is auto.", Validators.oneOf("auto", "cpu", "cuda")), "auto");
  }

  default String getDevice() {
    return value(device());
  }

  default IntParam numWorkers() {
    return paramRegistry().param("numWorkers", owner -> new IntParam(owner, "numWorkers",
        "number of partitions to train on, >= 0; 0 uses the SparkContext's default parallelism, or fewer "
            + "partitions when the data cannot give each at least 16 mini-batches. Default is 0.",
        Validators.atLeast(0)), 0);
  }

  default int getNumWorkers() {
    return (Integer) value(numWorkers());
  }

  default LongParam maxBatchBytes() {
    return paramRegistry().param("maxBatchBytes", owner -> new LongParam(owner, "maxBatchBytes",
        "largest Arrow batch in bytes, in [1024, 1073741824]; a partition's dense batches start at 4 MiB and "
            + "double up to it. Default is 67108864 (64 MiB).",
        Validators.inRange(1024, 1L << 30, true, true)), 64L << 20);
  }

  default long getMaxBatchBytes() {
    return (Long) value(maxBatchBytes());
  }

  default Param<String> handleInvalid() {
    return paramRegistry().param("handleInvalid", owner -> new Param<String>(owner, "handleInvalid",
        "how to handle rows with invalid values (null, NaN or infinite features, label or weight; a negative weight; "
            + "a class label that is not a whole number in range): 'error' (fail, naming the column and row) or "
            + "'skip' (drop them and report how many in the log and the training summary). Default is error.",
        Validators.oneOf("error", "skip")), "error");
  }

  default String getHandleInvalid() {
    return value(handleInvalid());
  }

  default Param<String> checkpointDir() {
    return paramRegistry().param("checkpointDir", owner -> new Param<String>(owner, "checkpointDir",
        "directory (any Hadoop file system path) where the fit saves its state every checkpointInterval epochs; a "
            + "fit started again with the same directory resumes from the last checkpoint. One fit per directory. "
            + "Default is unset (no checkpoints).", Validators.nonBlank()), null);
  }

  default String getCheckpointDir() {
    return value(checkpointDir());
  }

  /** The checkpoint directory, or null when unset. */
  default String checkpointDirOrNull() {
    return isDefined(checkpointDir()) ? getCheckpointDir() : null;
  }

  default IntParam checkpointInterval() {
    return paramRegistry().param("checkpointInterval", owner -> new IntParam(owner, "checkpointInterval",
        "save a checkpoint every this many epochs (>= 1), or never (-1); only with checkpointDir. Default is 10.",
        Validators.checkpointInterval()), 10);
  }

  default int getCheckpointInterval() {
    return (Integer) value(checkpointInterval());
  }
}
