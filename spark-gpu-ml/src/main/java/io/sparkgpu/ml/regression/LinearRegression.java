package io.sparkgpu.ml.regression;

import io.sparkgpu.ml.fit.FeatureVectorizer;
import io.sparkgpu.ml.fit.LinearFitResult;
import io.sparkgpu.ml.fit.LinearModelFitter;
import io.sparkgpu.ml.param.ParamRegistry;
import io.sparkgpu.ml.param.StageUid;
import io.sparkgpu.ml.param.TrainerParams;
import java.util.Locale;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Linear regression with squared error and elastic-net regularisation, trained by spark-gpu's engine: a drop-in
 * twin of MLlib's {@code org.apache.spark.ml.regression.LinearRegression} (its objective, standardisation and Param
 * names), plus {@code batchSize}, {@code learningRate}, {@code optimizer}, {@code device} and {@code numWorkers}.
 * {@code maxIter} counts epochs. A thin entry point in front of {@link LinearModelFitter}.
 */
public class LinearRegression extends Regressor<Vector, LinearRegression, LinearRegressionModel>
    implements TrainerParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private ParamRegistry registry;

  public LinearRegression() {
    this(Identifiable$.MODULE$.randomUID("linReg"));
  }

  public LinearRegression(String uid) {
    this(StageUid.pending(uid), true);
  }

  private LinearRegression(String uid, boolean initialised) {
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

  public LinearRegression setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public LinearRegression setTol(double value) {
    set(tol(), value);
    return this;
  }

  public LinearRegression setRegParam(double value) {
    set(regParam(), value);
    return this;
  }

  public LinearRegression setElasticNetParam(double value) {
    set(elasticNetParam(), value);
    return this;
  }

  public LinearRegression setFitIntercept(boolean value) {
    set(fitIntercept(), value);
    return this;
  }

  public LinearRegression setStandardization(boolean value) {
    set(standardization(), value);
    return this;
  }

  public LinearRegression setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public LinearRegression setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public LinearRegression setFeaturesCols(String[] value) {
    set(featuresCols(), value);
    return this;
  }

  public LinearRegression setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public LinearRegression setLearningRate(double value) {
    set(learningRate(), value);
    return this;
  }

  public LinearRegression setMinStepsPerEpoch(int value) {
    set(minStepsPerEpoch(), value);
    return this;
  }

  public LinearRegression setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public LinearRegression setEarlyStoppingPatience(int value) {
    set(earlyStoppingPatience(), value);
    return this;
  }

  public LinearRegression setAveragingFrequency(int value) {
    set(averagingFrequency(), value);
    return this;
  }

  public LinearRegression setOptimizer(String value) {
    set(optimizer(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LinearRegression setLearningRateSchedule(String value) {
    set(learningRateSchedule(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LinearRegression setDevice(String value) {
    set(device(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LinearRegression setNumWorkers(int value) {
    set(numWorkers(), value);
    return this;
  }

  public LinearRegression setMaxBatchBytes(long value) {
    set(maxBatchBytes(), value);
    return this;
  }

  public LinearRegression setHandleInvalid(String value) {
    set(handleInvalid(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public LinearRegression setCheckpointDir(String value) {
    set(checkpointDir(), value);
    return this;
  }

  public LinearRegression setCheckpointInterval(int value) {
    set(checkpointInterval(), value);
    return this;
  }

  @Override
  public LinearRegressionModel fit(Dataset<?> dataset) {
    LinearModelFitter.validate(dataset, this, getFeaturesCol(), getLabelCol());
    return super.fit(dataset);
  }

  @Override
  public LinearRegressionModel train(Dataset<?> dataset) {
    LinearFitResult r = LinearModelFitter.fit("LinearRegression", dataset, this, getFeaturesCol(), getLabelCol(),
        LinearModelFitter.Family.REGRESSION);
    LinearRegressionModel model = new LinearRegressionModel(uid(), Vectors.dense(r.coefficients()[0]),
        r.intercepts()[0]);
    model.setSummary(io.sparkgpu.ml.TrainingSummary.of(r.training(), r.skippedRows()));
    return copyValues(model, ParamMap.empty());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return FeatureVectorizer.transformSchema(schema, this, getFeaturesCol(), getLabelCol(), super::transformSchema,
        FeatureVectorizer.doubleField(getPredictionCol()));
  }

  @Override
  public LinearRegression copy(ParamMap extra) {
    return (LinearRegression) defaultCopy(extra);
  }

  public static MLReader<LinearRegression> read() {
    return io.sparkgpu.ml.persistence.ModelPersistence.stageReader(LinearRegression.class);
  }

  public static LinearRegression load(String path) {
    return read().load(path);
  }
}
