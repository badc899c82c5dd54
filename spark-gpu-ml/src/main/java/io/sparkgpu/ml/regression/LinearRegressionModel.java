package io.sparkgpu.ml.regression;

import io.sparkgpu.ml.TrainingSummary;
import io.sparkgpu.ml.fit.FeatureVectorizer;
import io.sparkgpu.ml.param.ParamRegistry;
import io.sparkgpu.ml.param.StageUid;
import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.ml.persistence.ModelPersistence;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link LinearRegression}: coefficients and intercept on the original scale, scoring rows as
 * {@code coefficients·x + intercept} through MLlib's transform. MLlib's {@code LinearRegressionModel} twin.
 */
public class LinearRegressionModel extends RegressionModel<Vector, LinearRegressionModel>
    implements TrainerParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private ParamRegistry registry;
  private Vector coefficients;
  private double intercept;
  private transient TrainingSummary summary;

  /** For Spark's reflective copy and load. */
  public LinearRegressionModel(String uid) {
    this(StageUid.pending(uid), true);
  }

  private LinearRegressionModel(String uid, boolean initialised) {
    super();
    this.uid = uid;
    StageUid.clear();
  }

  public LinearRegressionModel(String uid, Vector coefficients, double intercept) {
    this(uid);
    this.coefficients = coefficients;
    this.intercept = intercept;
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

  public Vector coefficients() {
    return coefficients;
  }

  public double intercept() {
    return intercept;
  }

  @Override
  public int numFeatures() {
    return coefficients.size();
  }

  void setSummary(TrainingSummary s) {
    this.summary = s;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("No training summary available for this LinearRegressionModel (it was "
          + "loaded or copied, not fitted)");
    }
    return summary;
  }

  @Override
  public double predict(Vector features) {
    if (features.size() != coefficients.size()) {
      throw new IllegalArgumentException("The model was trained on " + coefficients.size() + " features but a row "
          + "has " + features.size() + "; score data assembled the same way as the training data");
    }
    double[] sum = {intercept};
    features.foreachActive((j, v) -> {
      sum[0] += coefficients.apply((Integer) j) * (Double) v;
      return scala.runtime.BoxedUnit.UNIT;
    });
    return sum[0];
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return FeatureVectorizer.transform(this, dataset, super::transform);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return FeatureVectorizer.transformSchema(schema, this, getFeaturesCol(), null, super::transformSchema,
        FeatureVectorizer.doubleField(getPredictionCol()));
  }

  @Override
  public LinearRegressionModel copy(ParamMap extra) {
    LinearRegressionModel copied = new LinearRegressionModel(uid(), coefficients, intercept);
    copied.summary = summary;
    return copyValues(copied, extra).setParent(parent());
  }

  private static final StructType DATA_SCHEMA = new StructType(new StructField[] {
      new StructField("intercept", DataTypes.DoubleType, false, Metadata.empty()),
      new StructField("coefficients", SQLDataTypes.VectorType(), false, Metadata.empty()),
      new StructField("numFeatures", DataTypes.IntegerType, false, Metadata.empty())});

  @Override
  public MLWriter write() {
    return ModelPersistence.writer(this, DATA_SCHEMA, RowFactory.create(intercept, coefficients,
        coefficients.size()));
  }

  public static MLReader<LinearRegressionModel> read() {
    return new Reader();
  }

  public static LinearRegressionModel load(String path) {
    return read().load(path);
  }

  private static final class Reader extends MLReader<LinearRegressionModel> {
    @Override
    public LinearRegressionModel load(String path) {
      ModelPersistence.Loaded loaded = ModelPersistence.load(path, sparkSession(),
          LinearRegressionModel.class.getName());
      Row r = loaded.data();
      Vector coefficients = r.getAs("coefficients");
      double intercept = r.getDouble(r.fieldIndex("intercept"));
      // Models saved before numFeatures was recorded have only their coefficients to go by.
      int numFeatures = java.util.Arrays.asList(r.schema().fieldNames()).contains("numFeatures")
          ? r.getInt(r.fieldIndex("numFeatures")) : coefficients.size();
      if (coefficients.size() != numFeatures) {
        throw ModelPersistence.inconsistent(path, "numFeatures is " + numFeatures + " but there are "
            + coefficients.size() + " coefficients");
      }
      ModelPersistence.checkFinite(path, "coefficients", coefficients.toArray());
      ModelPersistence.checkFinite(path, "intercept", new double[] {intercept});
      LinearRegressionModel model = new LinearRegressionModel(loaded.metadata().uid(), coefficients, intercept);
      ModelPersistence.applyParams(loaded.metadata(), model, path);
      return model;
    }
  }
}
