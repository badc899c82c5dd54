package io.sparkgpu.ml.classification;

import io.sparkgpu.ml.fit.FeatureVectorizer;
import io.sparkgpu.ml.fit.LinearFitResult;
import io.sparkgpu.ml.fit.LinearModelFitter;
import io.sparkgpu.ml.param.ParamRegistry;
import io.sparkgpu.ml.param.StageUid;
import java.util.Locale;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Logistic regression, binomial or multinomial, trained by spark-gpu's engine: a drop-in twin of MLlib's
 * {@code org.apache.spark.ml.classification.LogisticRegression} with its Param names, plus {@code batchSize},
 * {@code learningRate}, {@code optimizer}, {@code device} and {@code numWorkers}. {@code maxIter} counts epochs.
 * A thin entry point: the work is done by {@link LinearModelFitter}.
 */
public class LogisticRegression
    extends ProbabilisticClassifier<Vector, LogisticRegression, LogisticRegressionModel>
    implements LogisticRegressionParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private String uid; // no initializer: it is set after Spark's constructors have called uid()
  private ParamRegistry registry;

  public LogisticRegression() {
    this(Identifiable$.MODULE$.randomUID("logreg"));
  }

  public LogisticRegression(String uid) {
    this(StageUid.pending(uid), true);
  }

  private LogisticRegression(String uid, boolean initialised) {
    super();
    this.uid = uid;
    StageUid.clear();
  }

  @Override
  public String uid() {
    return uid != null ? uid : StageUid.current();
  }

  @Override
  public ParamRegistry paramRegistry() {
    if (registry == null) {
      registry = new ParamRegistry(this);
    }
    return registry;
  }

  public LogisticRegression setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public LogisticRegression setTol(double value) {
    set(tol(), value);
    return this;
  }

  public LogisticRegression setRegParam(double value) {
    set(regParam(), value);
    return this;
  }

  public LogisticRegression setElasticNetParam(double value) {
    set(elasticNetParam(), value);
    return this;
  }

  public LogisticRegression setFitIntercept(boolean value) {
    set(fitIntercept(), value);
    return this;
  }

  public LogisticRegression setStandardization(boolean value) {
    set(standardization(), value);
    return this;
  }

  public LogisticRegression setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public LogisticRegression setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public LogisticRegression setFeaturesCols(String[] value) {
    set(featuresCols(), value);
    return this;
  }

  public LogisticRegression setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public LogisticRegression setLearningRate(double value) {
    set(learningRate(), value);
    return this;
  }

  public LogisticRegression setMinStepsPerEpoch(int value) {
    set(minStepsPerEpoch(), value);
    return this;
  }

  public LogisticRegression setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public LogisticRegression setEarlyStoppingPatience(int value) {
    set(earlyStoppingPatience(), value);
    return this;
  }

  public LogisticRegression setAveragingFrequency(int value) {
    set(averagingFrequency(), value);
    return this;
  }

  public LogisticRegression setOptimizer(String value) {
    set(optimizer(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LogisticRegression setLearningRateSchedule(String value) {
    set(learningRateSchedule(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LogisticRegression setDevice(String value) {
    set(device(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LogisticRegression setNumWorkers(int value) {
    set(numWorkers(), value);
    return this;
  }

  public LogisticRegression setMaxBatchBytes(long value) {
    set(maxBatchBytes(), value);
    return this;
  }

  public LogisticRegression setHandleInvalid(String value) {
    set(handleInvalid(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LogisticRegression setCheckpointDir(String value) {
    set(checkpointDir(), value);
    return this;
  }

  public LogisticRegression setCheckpointInterval(int value) {
    set(checkpointInterval(), value);
    return this;
  }

  public LogisticRegression setFamily(String value) {
    set(family(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LogisticRegression setThreshold(double value) {
    set(threshold(), value);
    clear(thresholds());
    return this;
  }

  @Override
  public LogisticRegressionModel fit(Dataset<?> dataset) {
    LinearModelFitter.validate(dataset, this, getFeaturesCol(), getLabelCol());
    return super.fit(dataset);
  }

  @Override
  public LogisticRegressionModel train(Dataset<?> dataset) {
    LinearModelFitter.Family family = LinearModelFitter.Family.valueOf(getFamily().toUpperCase(Locale.ROOT));
    LinearFitResult r = LinearModelFitter.fit("LogisticRegression", dataset, this, getFeaturesCol(), getLabelCol(),
        family);
    LogisticRegressionModel model = LogisticRegressionModel.fromFit(uid(), r, getRegParam() == 0.0);
    return copyValues(model, ParamMap.empty());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return FeatureVectorizer.transformSchema(schema, this, getFeaturesCol(), getLabelCol(), super::transformSchema,
        FeatureVectorizer.classifierOutputs(getRawPredictionCol(), getProbabilityCol(),
        getPredictionCol()));
  }

  @Override
  public LogisticRegression copy(ParamMap extra) {
    return (LogisticRegression) defaultCopy(extra);
  }

  public static MLReader<LogisticRegression> read() {
    return io.sparkgpu.ml.persistence.ModelPersistence.stageReader(LogisticRegression.class);
  }

  public static LogisticRegression load(String path) {
    return read().load(path);
  }
}
