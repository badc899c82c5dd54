package io.sparkgpu.ml.fit;

import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.arrow.DatasetBatcher;
import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.train.FitPlan;
import io.sparkgpu.train.LearningRateSchedule;
import io.sparkgpu.train.NetworkSpec;
import io.sparkgpu.train.SparkEpochRunner;
import io.sparkgpu.train.TrainingLoop;
import io.sparkgpu.train.TrainingResult;
import io.sparkgpu.train.TrainingSettings;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the linear models (linear regression, binomial and multinomial logistic regression) for the thin Estimator
 * classes: checks everything it can on the driver, batches the data once, trains with {@link TrainingLoop} over
 * Spark, and returns coefficients on the original scale. Releases the cache and the resident data before
 * returning, also on failure.
 */
public final class LinearModelFitter {
  private static final Logger LOG = LoggerFactory.getLogger(LinearModelFitter.class);

  /** Densify sparse data up to this many bytes per partition when it is dense enough (see ResidentLayout). */
  static final long MAX_DENSE_BYTES = 512L << 20;

  private LinearModelFitter() {}

  /** The model family of a fit. */
  public enum Family {
    REGRESSION,
    AUTO,
    BINOMIAL,
    MULTINOMIAL
  }

  /** The features source the params describe. */
  public static FeatureColumns features(TrainerParams params, String featuresCol) {
    String[] cols = params.getFeaturesCols();
    return cols.length > 0 ? FeatureColumns.numeric(Arrays.asList(cols)) : FeatureColumns.single(featuresCol);
  }

  /** Every check that needs no data: columns, types, device. Throws IllegalArgumentException. */
  public static void validate(Dataset<?> dataset, TrainerParams params, String featuresCol, String labelCol) {
    DatasetBatcher.checkSchema(dataset.schema(), features(params, featuresCol), labelCol, params.weightColOrNull());
    BackendSelector.checkOnDriver(DeviceSetting.fromName(params.getDevice()));
  }

  public static LinearFitResult fit(String name, Dataset<?> dataset, TrainerParams params, String featuresCol,
      String labelCol, Family family) {
    validate(dataset, params, featuresCol, labelCol);
    DeviceSetting device = DeviceSetting.fromName(params.getDevice());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    int workers = params.getNumWorkers() > 0 ? params.getNumWorkers() : sc.defaultParallelism();
    LabelKind labelKind = family == Family.REGRESSION ? LabelKind.REAL : LabelKind.CLASS_INDEX;
    FeatureColumns features = features(params, featuresCol);
    try (BatchedDataset batched = DatasetBatcher.batch(dataset, features, labelCol, params.weightColOrNull(),
        labelKind, params.getMaxBatchBytes(), workers)) {
      PartitionStatistics stats = batched.statistics();
      BatchedDataset data = batched;
      if (params.getNumWorkers() == 0) {
        int useful = usefulWorkers(stats.rows(), params.getBatchSize(), params.getMinStepsPerEpoch(), workers);
        if (useful < batched.numPartitions()) {
          LOG.info("{}: {} rows give each of {} workers fewer than {} rows (batchSize {} x minStepsPerEpoch {}); "
              + "training on {} partition(s) instead (set numWorkers to choose)", name, stats.rows(), workers,
              (long) params.getBatchSize() * params.getMinStepsPerEpoch(), params.getBatchSize(),
              params.getMinStepsPerEpoch(), useful);
          data = batched.coalesce(useful);
        }
      }
      if (stats.rows() == 0) {
        throw new IllegalArgumentException(name + " needs at least one row but the input DataFrame is empty");
      }
      if (!(stats.weightSum() > 0)) {
        throw new IllegalArgumentException("Column '" + params.weightColOrNull() + "': the weights of all "
            + stats.rows() + " rows sum to " + stats.weightSum() + "; at least one row needs a positive weight");
      }
      FitPlan.LinearKind kind;
      int numClasses;
      if (family == Family.REGRESSION) {
        kind = FitPlan.LinearKind.REGRESSION;
        numClasses = 1;
      } else {
        numClasses = (int) stats.labelMax() + 1;
        kind = resolveFamily(family, numClasses, stats, labelCol);
      }
      if (kind == FitPlan.LinearKind.REGRESSION && FitPlan.labelStdForRegression(stats) == 0) {
        return constantLabelModel(stats, params, labelCol);
      }
      TrainingSettings settings = settings(params, data.maxPartitionRows());
      FitPlan plan = FitPlan.linear(kind, numClasses, stats, settings, data.numPartitions());
      LOG.info("{}: {} rows x {} features, {} classes, {} partitions; optimizer {} lr {} batch {} epochs {}", name,
          stats.rows(), stats.numFeatures(), numClasses, data.numPartitions(), settings.optimizer(),
          plan.config().learningRate(), settings.batchSize(), settings.epochs());
      String fitId = name + "-" + UUID.randomUUID();
      TrainingResult result;
      try (SparkEpochRunner runner = new SparkEpochRunner(sc, data, plan.config(), fitId, device)) {
        result = TrainingLoop.fit(name, plan.config(), plan.initialParams(), runner, params.getTol());
      }
      return toOriginalScale(plan, result, stats, numClasses);
    }
  }

  /**
   * How many workers small data should use when numWorkers is left at 0: each worker should hold at least one
   * epoch's worth of distinct mini-batches (batchSize x minStepsPerEpoch rows); averaging workers that each revisit
   * a few rows many times only adds drift. Between 1 and {@code available}.
   */
  public static int usefulWorkers(long rows, int batchSize, int minStepsPerEpoch, int available) {
    long perWorker = Math.max(1L, (long) batchSize * minStepsPerEpoch);
    long useful = rows / perWorker;
    return (int) Math.max(1, Math.min(available, useful));
  }

  static FitPlan.LinearKind resolveFamily(Family family, int numClasses, PartitionStatistics stats,
      String labelCol) {
    Map<Integer, Double> classes = stats.classWeights();
    if (family == Family.BINOMIAL && numClasses > 2) {
      throw new IllegalArgumentException("Binomial family only supports 1 or 2 outcome classes but found "
          + numClasses + " (column '" + labelCol + "' has labels up to " + stats.labelMax()
          + "); set family to 'multinomial' or 'auto'");
    }
    if (classes.size() < 2) {
      throw new IllegalArgumentException("Column '" + labelCol + "' holds a single class (" + stats.labelMin()
          + ") in all " + stats.rows() + " rows; classification needs at least two classes");
    }
    boolean multinomial = family == Family.MULTINOMIAL || (family == Family.AUTO && numClasses > 2);
    return multinomial ? FitPlan.LinearKind.MULTINOMIAL : FitPlan.LinearKind.BINOMIAL;
  }

  static TrainingSettings settings(TrainerParams params, long maxPartitionRows) {
    String opt = params.getOptimizer().toLowerCase(Locale.ROOT);
    OptimizerKind kind = OptimizerKind.fromName(opt);
    double momentum = opt.equals("momentum") ? 0.9 : 0.0;
    // SGD's step grows with the number of workers (their averaged steps act like one larger batch) unless each
    // worker takes a single full-batch step per epoch, where averaging already gives the full-batch step.
    boolean oneStep = maxPartitionRows <= params.getBatchSize() && params.getMinStepsPerEpoch() == 1;
    boolean scale = kind == OptimizerKind.SGD && !oneStep;
    return new TrainingSettings(kind, params.getLearningRate(), scale, momentum, params.getBatchSize(),
        params.getMaxIter(), LearningRateSchedule.fromName(params.getLearningRateSchedule()), params.getSeed(),
        params.getRegParam(), params.getElasticNetParam(), params.getStandardization(), params.getFitIntercept(),
        MAX_DENSE_BYTES, params.getMinStepsPerEpoch());
  }

  /** MLlib's answer for a constant label: coefficients 0 and the label as intercept. */
  private static LinearFitResult constantLabelModel(PartitionStatistics stats, TrainerParams params,
      String labelCol) {
    if (!params.getFitIntercept() && stats.labelMean() != 0 && params.getRegParam() > 0) {
      throw new IllegalArgumentException("Column '" + labelCol + "' is constant, so the model cannot be "
          + "regularized without an intercept; set regParam to 0 or fitIntercept to true");
    }
    LOG.info("Column '{}' is constant ({}): coefficients are 0 and the intercept is the label", labelCol,
        stats.labelMean());
    TrainingResult none = new TrainingResult(new float[0], new double[] {0.0}, new double[] {0.0}, stats.rows(), 0,
        true);
    return new LinearFitResult(new double[1][stats.numFeatures()], new double[] {stats.labelMean()},
        stats.numFeatures(), 1, none);
  }

  static LinearFitResult toOriginalScale(FitPlan plan, TrainingResult result, PartitionStatistics stats,
      int numClasses) {
    NetworkSpec spec = plan.config().spec();
    double[] raw = plan.config().scaling().toRaw(spec, result.params());
    int d = spec.inputs();
    int k = spec.outputs();
    double yScale = 1.0 / plan.config().labelScale();
    double yShift = plan.config().labelShift();
    double[][] coef = new double[k][d];
    double[] intercept = new double[k];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        coef[c][j] = raw[spec.weightOffset(0) + j * k + c] * yScale;
      }
      intercept[c] = raw[spec.biasOffset(0) + c] * yScale + yShift;
    }
    return new LinearFitResult(coef, intercept, d, numClasses, result);
  }
}
