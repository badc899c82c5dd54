package io.sparkgpu.ml.classification;

import io.sparkgpu.ml.TrainingSummary;
import io.sparkgpu.ml.fit.FeatureVectorizer;
import io.sparkgpu.ml.fit.LinearFitResult;
import io.sparkgpu.ml.param.ParamRegistry;
import io.sparkgpu.ml.param.StageUid;
import io.sparkgpu.ml.persistence.ModelPersistence;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
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
 * A fitted {@link LogisticRegression}: MLlib's {@code LogisticRegressionModel} twin. Holds the coefficient matrix
 * (classes x features; one row for binomial) and intercepts on the original feature scale; scores rows on the CPU
 * through MLlib's transform, producing {@code rawPrediction}, {@code probability} and {@code prediction}.
 */
public class LogisticRegressionModel
    extends ProbabilisticClassificationModel<Vector, LogisticRegressionModel>
    implements LogisticRegressionParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private ParamRegistry registry;
  private Matrix coefficientMatrix;
  private Vector interceptVector;
  private int numClasses;
  private boolean multinomial;
  private transient TrainingSummary summary;

  /** For Spark's reflective copy and load: the uid only; {@link #setModelData} gives the rest. */
  public LogisticRegressionModel(String uid) {
    this(StageUid.pending(uid), true);
  }

  private LogisticRegressionModel(String uid, boolean initialised) {
    super();
    this.uid = uid;
    StageUid.clear();
  }

  public LogisticRegressionModel(String uid, Matrix coefficientMatrix, Vector interceptVector, int numClasses,
      boolean multinomial) {
    this(uid);
    setModelData(coefficientMatrix, interceptVector, numClasses, multinomial);
  }

  private void setModelData(Matrix coefficients, Vector intercepts, int classes, boolean isMultinomial) {
    int rows = isMultinomial ? classes : 1;
    if (coefficients.numRows() != rows || intercepts.size() != rows) {
      throw new IllegalArgumentException("A " + (isMultinomial ? "multinomial" : "binomial") + " model with "
          + classes + " classes needs " + rows + " coefficient rows and intercepts but got "
          + coefficients.numRows() + " and " + intercepts.size());
    }
    this.coefficientMatrix = coefficients;
    this.interceptVector = intercepts;
    this.numClasses = classes;
    this.multinomial = isMultinomial;
  }

  static LogisticRegressionModel fromFit(String uid, LinearFitResult r, boolean centerMultinomial) {
    int k = r.coefficients().length;
    int d = r.numFeatures();
    double[][] coef = r.coefficients();
    double[] intercept = r.intercepts().clone();
    boolean isMultinomial = k > 1;
    if (isMultinomial) {
      // As MLlib: without regularisation the softmax is identifiable only up to a shift; centre across classes.
      if (centerMultinomial) {
        for (int j = 0; j < d; j++) {
          double mean = 0;
          for (double[] row : coef) {
            mean += row[j] / k;
          }
          for (double[] row : coef) {
            row[j] -= mean;
          }
        }
      }
      double mean = 0;
      for (double b : intercept) {
        mean += b / k;
      }
      for (int c = 0; c < k; c++) {
        intercept[c] -= mean;
      }
    }
    double[] values = new double[k * d];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        values[c + j * k] = coef[c][j]; // column-major
      }
    }
    LogisticRegressionModel m = new LogisticRegressionModel(uid, new DenseMatrix(k, d, values),
        Vectors.dense(intercept), isMultinomial ? k : 2, isMultinomial);
    m.summary = TrainingSummary.of(r.training(), r.skippedRows());
    return m;
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

  public Matrix coefficientMatrix() {
    return coefficientMatrix;
  }

  public Vector interceptVector() {
    return interceptVector;
  }

  /** Binomial models only, as in MLlib. */
  public Vector coefficients() {
    if (multinomial) {
      throw new IllegalStateException("Multinomial models contain a matrix of coefficients, use coefficientMatrix "
          + "instead.");
    }
    return Vectors.dense(coefficientMatrix.toArray());
  }

  /** Binomial models only, as in MLlib. */
  public double intercept() {
    if (multinomial) {
      throw new IllegalStateException("Multinomial models contain a vector of intercepts, use interceptVector "
          + "instead.");
    }
    return interceptVector.apply(0);
  }

  public boolean isMultinomial() {
    return multinomial;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int numFeatures() {
    return coefficientMatrix.numCols();
  }

  public boolean hasSummary() {
    return summary != null;
  }

  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("No training summary available for this LogisticRegressionModel (it was "
          + "loaded or copied, not fitted)");
    }
    return summary;
  }

  public LogisticRegressionModel setThreshold(double value) {
    set(threshold(), value);
    clear(thresholds());
    return this;
  }

  private double margin(Vector features, int row) {
    int d = numFeatures();
    if (features.size() != d) {
      throw new IllegalArgumentException("The model was trained on " + d + " features but a row has "
          + features.size() + "; score data assembled the same way as the training data");
    }
    double[] m = new double[] {interceptVector.apply(row)};
    features.foreachActive((j, v) -> {
      m[0] += coefficientMatrix.apply(row, (Integer) j) * (Double) v;
      return scala.runtime.BoxedUnit.UNIT;
    });
    return m[0];
  }

  @Override
  public Vector predictRaw(Vector features) {
    if (!multinomial) {
      double m = margin(features, 0);
      return Vectors.dense(-m, m);
    }
    double[] raw = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      raw[c] = margin(features, c);
    }
    return Vectors.dense(raw);
  }

  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    double[] v = ((DenseVector) rawPrediction).values();
    if (!multinomial) {
      double p1 = 1.0 / (1.0 + Math.exp(-v[1]));
      v[0] = 1.0 - p1;
      v[1] = p1;
      return rawPrediction;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (int c = 0; c < v.length; c++) {
      v[c] = Math.exp(v[c] - max);
      sum += v[c];
    }
    for (int c = 0; c < v.length; c++) {
      v[c] /= sum;
    }
    return rawPrediction;
  }

  @Override
  public double probability2prediction(Vector probability) {
    if (!multinomial && !isSet(thresholds())) {
      return probability.apply(1) > getThreshold() ? 1.0 : 0.0;
    }
    return super.probability2prediction(probability);
  }

  @Override
  public double raw2prediction(Vector rawPrediction) {
    if (!multinomial && !isSet(thresholds())) {
      Vector p = raw2probability(rawPrediction);
      return probability2prediction(p);
    }
    return super.raw2prediction(rawPrediction);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return FeatureVectorizer.transform(this, dataset, super::transform);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return FeatureVectorizer.transformSchema(schema, this, getFeaturesCol(), null, super::transformSchema,
        FeatureVectorizer.classifierOutputs(getRawPredictionCol(), getProbabilityCol(),
        getPredictionCol()));
  }

  /** Resolves the two inherited signatures of MLlib's summary hook (covariant in Scala, clashing in Java). */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public LogisticRegressionModel copy(ParamMap extra) {
    LogisticRegressionModel copied = new LogisticRegressionModel(uid(), coefficientMatrix, interceptVector,
        numClasses, multinomial);
    copied.summary = summary;
    return copyValues(copied, extra).setParent(parent());
  }

  private static final StructType DATA_SCHEMA = new StructType(new StructField[] {
      new StructField("numClasses", DataTypes.IntegerType, false, Metadata.empty()),
      new StructField("numFeatures", DataTypes.IntegerType, false, Metadata.empty()),
      new StructField("interceptVector", SQLDataTypes.VectorType(), false, Metadata.empty()),
      new StructField("coefficientMatrix", SQLDataTypes.MatrixType(), false, Metadata.empty()),
      new StructField("isMultinomial", DataTypes.BooleanType, false, Metadata.empty())});

  @Override
  public MLWriter write() {
    Row data = RowFactory.create(numClasses, numFeatures(), interceptVector, coefficientMatrix, multinomial);
    return ModelPersistence.writer(this, DATA_SCHEMA, data);
  }

  public static MLReader<LogisticRegressionModel> read() {
    return new Reader();
  }

  public static LogisticRegressionModel load(String path) {
    return read().load(path);
  }

  private static final class Reader extends MLReader<LogisticRegressionModel> {
    @Override
    public LogisticRegressionModel load(String path) {
      ModelPersistence.Loaded loaded = ModelPersistence.load(path, sparkSession(),
          LogisticRegressionModel.class.getName());
      Row r = loaded.data();
      int numClasses = r.getInt(r.fieldIndex("numClasses"));
      int numFeatures = r.getInt(r.fieldIndex("numFeatures"));
      Vector intercepts = r.getAs("interceptVector");
      Matrix coefficients = r.getAs("coefficientMatrix");
      boolean multinomial = r.getBoolean(r.fieldIndex("isMultinomial"));
      int rows = multinomial ? numClasses : 1;
      if (numClasses < 2 || (!multinomial && numClasses != 2)) {
        throw ModelPersistence.inconsistent(path, "numClasses is " + numClasses + " for a "
            + (multinomial ? "multinomial" : "binomial") + " model (expected " + (multinomial ? ">= 2" : "2") + ")");
      }
      if (coefficients.numCols() != numFeatures || coefficients.numRows() != rows || intercepts.size() != rows) {
        throw ModelPersistence.inconsistent(path, "numFeatures " + numFeatures + " and numClasses " + numClasses
            + " need a " + rows + " x " + numFeatures + " coefficient matrix and " + rows + " intercepts but it has "
            + coefficients.numRows() + " x " + coefficients.numCols() + " coefficients and " + intercepts.size()
            + " intercepts");
      }
      ModelPersistence.checkFinite(path, "coefficientMatrix", coefficients.toArray());
      ModelPersistence.checkFinite(path, "interceptVector", intercepts.toArray());
      LogisticRegressionModel model = new LogisticRegressionModel(loaded.metadata().uid(), coefficients, intercepts,
          numClasses, multinomial);
      ModelPersistence.applyParams(loaded.metadata(), model, path);
      return model;
    }
  }
}
