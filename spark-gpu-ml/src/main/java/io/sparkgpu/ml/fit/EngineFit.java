package io.sparkgpu.ml.fit;

import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.arrow.DatasetBatcher;
import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.InvalidRows;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.train.CheckpointStore;
import io.sparkgpu.train.Checkpointer;
import io.sparkgpu.train.FitFingerprint;
import io.sparkgpu.train.FitPlan;
import io.sparkgpu.train.LearningRateSchedule;
import io.sparkgpu.train.SparkEpochRunner;
import io.sparkgpu.train.TrainingControls;
import io.sparkgpu.train.TrainingLoop;
import io.sparkgpu.train.TrainingResult;
import io.sparkgpu.train.TrainingSettings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fit of any of our estimators on Spark, the part they all share: check everything that needs no data, batch
 * the data once (training and validation rows apart), let the estimator plan the network from the statistics, train
 * with {@link TrainingLoop} through {@link SparkEpochRunner}, and release the cache and the resident data before
 * returning, also on failure.
 */
public final class EngineFit {
  private static final Logger LOG = LoggerFactory.getLogger(EngineFit.class);

  /** Densify sparse data up to this many bytes per partition when it is dense enough (see ResidentLayout). */
  static final long MAX_DENSE_BYTES = 512L << 20;

  private EngineFit() {}

  /** The estimator's part: the plan for these statistics, or null when no training is needed. */
  public interface Planner {
    FitPlan plan(PartitionStatistics stats, TrainingSettings settings, int numPartitions);

    /** The mini-batch size (an estimator may take it from another Param, as MLlib's MLP from blockSize). */
    default int batchSize(TrainerParams params) {
      return params.getBatchSize();
    }

    /** A last say over the settings derived from the shared Params. */
    default TrainingSettings adjust(TrainingSettings settings) {
      return settings;
    }

    /**
     * The number of classes the Params fix before the data is seen (labels at or above it are invalid values,
     * checked while batching), or 0 when the labels decide it.
     */
    default int numClasses() {
      return 0;
    }

    /** The Param that fixes {@link #numClasses}, named in messages. */
    default String numClassesSetting() {
      return "";
    }
  }

  /** Data too small to give every worker this many distinct mini-batches trains on fewer workers. */
  static final int MIN_BATCHES_PER_WORKER = 16;

  /**
   * A finished fit: the plan (null if none was needed), its result, the training statistics, and the rows dropped
   * as invalid (handleInvalid=skip) by reason, training and validation rows together.
   */
  public record Outcome(FitPlan plan, TrainingResult result, PartitionStatistics stats, Map<String, Long> skipped) {}

  /** Skipped-row counts by reason, for the training summary. */
  static Map<String, Long> skipped(PartitionStatistics training, PartitionStatistics validation) {
    PartitionStatistics all = new PartitionStatistics(-1).merge(training).merge(validation);
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<InvalidRows.Reason, Long> e : all.skippedByReason().entrySet()) {
      out.put(e.getKey().description(), e.getValue());
    }
    return out;
  }

  /** The features source the params describe. */
  public static FeatureColumns features(TrainerParams params, String featuresCol) {
    String[] cols = params.getFeaturesCols();
    return cols.length > 0 ? FeatureColumns.numeric(Arrays.asList(cols)) : FeatureColumns.single(featuresCol);
  }

  /** Every check that needs no data: columns, types, device. Throws IllegalArgumentException. */
  public static void validate(Dataset<?> dataset, TrainerParams params, String featuresCol, String labelCol) {
    DatasetBatcher.checkSchema(dataset.schema(), features(params, featuresCol), labelCol, params.weightColOrNull(),
        params.validationColOrNull());
    if (params.getEarlyStoppingPatience() > 0 && params.validationColOrNull() == null) {
      throw new IllegalArgumentException("earlyStoppingPatience is " + params.getEarlyStoppingPatience()
          + " but no validationIndicatorCol is set; set validationIndicatorCol or earlyStoppingPatience to 0");
    }
    BackendSelector.checkOnDriver(DeviceSetting.fromName(params.getDevice()));
    String dir = params.checkpointDirOrNull();
    if (dir != null) {
      try {
        new org.apache.hadoop.fs.Path(dir).getFileSystem(dataset.sparkSession().sparkContext().hadoopConfiguration());
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("checkpointDir '" + dir + "' is not a path of any file system this Spark "
            + "can use (" + e.getMessage() + "); set checkpointDir to a local, HDFS or other Hadoop path", e);
      }
      if (params.getCheckpointInterval() < 1) {
        LOG.warn("checkpointDir is set to {} but checkpointInterval is {}: no checkpoint will be saved", dir,
            params.getCheckpointInterval());
      }
    }
  }

  public static Outcome run(String name, Dataset<?> dataset, TrainerParams params, String featuresCol,
      String labelCol, LabelKind labelKind, Planner planner) {
    validate(dataset, params, featuresCol, labelCol);
    DeviceSetting device = DeviceSetting.fromName(params.getDevice());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    int workers = params.getNumWorkers() > 0 ? params.getNumWorkers() : sc.defaultParallelism();
    String validationCol = params.validationColOrNull();
    InvalidRows invalidRows = InvalidRows.fromName(params.getHandleInvalid());
    try (BatchedDataset batched = DatasetBatcher.batch(dataset, features(params, featuresCol), labelCol,
        params.weightColOrNull(), validationCol, labelKind, params.getMaxBatchBytes(), workers,
        o -> o.withInvalidRows(invalidRows).withNumClasses(planner.numClasses(), planner.numClassesSetting()))) {
      PartitionStatistics stats = batched.statistics();
      Map<String, Long> skipped = skipped(stats, batched.validationStatistics());
      if (stats.rows() == 0) {
        long dropped = stats.skippedRows() + batched.validationStatistics().skippedRows();
        throw new IllegalArgumentException(name + " needs at least one training row but found 0"
            + (dropped > 0 ? ": handleInvalid=skip dropped all " + dropped + " rows (" + skipped + "); fix the "
                + "invalid values or set handleInvalid to 'error' to see the first one"
                : validationCol != null ? " (the input DataFrame is empty or every row is flagged in '"
                    + validationCol + "'); check the filters before the fit or the validationIndicatorCol column"
                : " (the input DataFrame is empty); check the filters or joins that produce it"));
      }
      if (!(stats.weightSum() > 0)) {
        throw new IllegalArgumentException("Column '" + params.weightColOrNull() + "': the weights of all "
            + stats.rows() + " rows sum to " + stats.weightSum() + "; at least one row needs a positive weight "
            + "(fix the column or unset weightCol)");
      }
      long emptyPartitions = batched.perPartition().stream().filter(p -> p.rows() == 0).count();
      if (emptyPartitions > 0) {
        LOG.info("{}: {} of {} partitions hold no training rows ({} rows in all); they train nothing and do not "
            + "enter the average", name, emptyPartitions, batched.numPartitions(), stats.rows());
      }
      BatchedDataset data = batched;
      int batchSize = planner.batchSize(params);
      if (params.getNumWorkers() == 0) {
        int useful = usefulWorkers(stats.rows(), batchSize, workers);
        if (useful < batched.numPartitions()) {
          LOG.info("{}: {} rows give each of {} workers fewer than {} mini-batches of {} rows; training on {} "
              + "partition(s) instead (set numWorkers to choose)", name, stats.rows(), workers,
              MIN_BATCHES_PER_WORKER, batchSize, useful);
          data = batched.coalesce(useful);
        }
      }
      TrainingSettings settings = planner.adjust(settings(params, batchSize, data.maxPartitionRows()));
      FitPlan plan = planner.plan(stats, settings, data.numPartitions());
      if (plan == null) {
        return new Outcome(null, null, stats, skipped);
      }
      boolean validating = batched.validationStatistics().rows() > 0;
      if (validationCol != null && !validating) {
        LOG.warn("{}: no row is flagged in '{}' (validationIndicatorCol); training without validation", name,
            validationCol);
      }
      TrainingControls controls = new TrainingControls(params.getTol(), params.getAveragingFrequency(),
          validating ? params.getEarlyStoppingPatience() : 0, validating,
          labelKind == LabelKind.REAL ? TrainingControls.Metric.RMSE : TrainingControls.Metric.ACCURACY,
          plan.config().labelScale());
      LOG.info("{}: {} rows x {} features, network {}, {} partitions; optimizer {} lr {} batch {} epochs {}", name,
          stats.rows(), stats.numFeatures(), plan.config().spec(), data.numPartitions(), settings.optimizer(),
          plan.config().learningRate(), settings.batchSize(), settings.epochs());
      Checkpointer checkpoints = checkpointer(name, params, sc, plan, controls, data.numPartitions(), stats,
          batched.validationStatistics());
      checkpoints.latest(); // a corrupt or foreign checkpoint is refused before any training job
      String fitId = name + "-" + UUID.randomUUID();
      try (SparkEpochRunner runner = new SparkEpochRunner(sc, data, plan.config(), fitId, device)) {
        return new Outcome(plan, TrainingLoop.fit(name, plan.config(), plan.initialParams(), runner, controls,
            checkpoints), stats, skipped);
      }
    }
  }

  /** Checkpoints in checkpointDir every checkpointInterval epochs, or none when either is unset. */
  private static Checkpointer checkpointer(String name, TrainerParams params, JavaSparkContext sc, FitPlan plan,
      TrainingControls controls, int partitions, PartitionStatistics stats, PartitionStatistics validation) {
    String dir = params.checkpointDirOrNull();
    if (dir == null || params.getCheckpointInterval() < 1) {
      return Checkpointer.NONE;
    }
    FitFingerprint fingerprint = FitFingerprint.of(name, plan.config(), plan.initialParams(), controls, partitions,
        stats, validation);
    return new CheckpointStore(dir, params.getCheckpointInterval(), sc.hadoopConfiguration(), fingerprint);
  }

  /**
   * How many workers data of {@code rows} rows should use when numWorkers is left at 0: each worker should hold at
   * least {@link #MIN_BATCHES_PER_WORKER} distinct mini-batches; averaging workers that each revisit a few rows many
   * times only adds drift. Between 1 and {@code available}.
   */
  public static int usefulWorkers(long rows, int batchSize, int available) {
    long useful = rows / Math.max(1L, (long) batchSize * MIN_BATCHES_PER_WORKER);
    return (int) Math.max(1, Math.min(available, useful));
  }

  static TrainingSettings settings(TrainerParams params, int batchSize, long maxPartitionRows) {
    String opt = params.getOptimizer().toLowerCase(Locale.ROOT);
    OptimizerKind kind = OptimizerKind.fromName(opt);
    double momentum = opt.equals("momentum") ? 0.9 : 0.0;
    // SGD's step grows with the number of workers (their averaged steps act like one larger batch) unless each
    // worker takes a single full-batch step per epoch, where averaging already gives the full-batch step.
    boolean oneStep = maxPartitionRows <= batchSize && params.getMinStepsPerEpoch() == 1;
    boolean scale = kind == OptimizerKind.SGD && !oneStep;
    return new TrainingSettings(kind, params.getLearningRate(), scale, momentum, batchSize,
        params.getMaxIter(), LearningRateSchedule.fromName(params.getLearningRateSchedule()), params.getSeed(),
        params.getRegParam(), params.getElasticNetParam(), params.getStandardization(), params.getFitIntercept(),
        MAX_DENSE_BYTES, params.getMinStepsPerEpoch());
  }
}
