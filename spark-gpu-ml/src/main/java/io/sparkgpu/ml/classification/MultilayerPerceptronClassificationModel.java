package io.sparkgpu.ml.classification;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.ml.TrainingSummary;
import io.sparkgpu.ml.fit.FeatureVectorizer;
import io.sparkgpu.ml.param.ParamRegistry;
import io.sparkgpu.ml.param.StageUid;
import io.sparkgpu.ml.persistence.ModelPersistence;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
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
 * A fitted {@link MultilayerPerceptronClassifier}: layer sizes, hidden activation and the flat weight vector in
 * MLlib's layout on the original feature scale. Scores rows on the CPU (double precision) through MLlib's transform;
 * {@link #toMllib()} builds MLlib's own model from the same weights (sigmoid networks only, MLlib's activation).
 */
public class MultilayerPerceptronClassificationModel
    extends ProbabilisticClassificationModel<Vector, MultilayerPerceptronClassificationModel>
    implements MultilayerPerceptronParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private ParamRegistry registry;
  private int[] layerSizes;
  private Activation hidden;
  private Vector weights;
  private transient TrainingSummary summary;

  /** For Spark's reflective copy and load. */
  public MultilayerPerceptronClassificationModel(String uid) {
    this(StageUid.pending(uid), true);
  }

  private MultilayerPerceptronClassificationModel(String uid, boolean initialised) {
    super();
    this.uid = uid;
    StageUid.clear();
  }

  public MultilayerPerceptronClassificationModel(String uid, int[] layers, Activation hidden, Vector weights) {
    this(uid);
    long expected = 0;
    for (int l = 0; l + 1 < layers.length; l++) {
      expected += (long) layers[l] * layers[l + 1] + layers[l + 1];
    }
    if (weights.size() != expected) {
      throw new IllegalArgumentException("layers " + Arrays.toString(layers) + " need " + expected
          + " weights but got " + weights.size());
    }
    this.layerSizes = layers.clone();
    this.hidden = hidden;
    this.weights = weights;
    set(layers(), layers.clone());
    set(activation(), hidden.name().toLowerCase(Locale.ROOT));
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

  /** The flat weights in MLlib's layout: per layer, input i to output o at i * out + o, then the biases. */
  public Vector weights() {
    return weights;
  }

  @Override
  public int numClasses() {
    return layerSizes[layerSizes.length - 1];
  }

  @Override
  public int numFeatures() {
    return layerSizes[0];
  }

  void setSummary(TrainingSummary s) {
    this.summary = s;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  public TrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("No training summary available for this model (it was loaded or copied, "
          + "not fitted)");
    }
    return summary;
  }

  @Override
  public Vector predictRaw(Vector features) {
    if (features.size() != layerSizes[0]) {
      throw new IllegalArgumentException("The model was trained on " + layerSizes[0] + " features but a row has "
          + features.size() + "; score data assembled the same way as the training data");
    }
    double[] w = weights.toArray();
    double[] input = features.toArray();
    int offset = 0;
    for (int l = 0; l + 1 < layerSizes.length; l++) {
      int in = layerSizes[l];
      int out = layerSizes[l + 1];
      double[] z = new double[out];
      System.arraycopy(w, offset + in * out, z, 0, out);
      for (int i = 0; i < in; i++) {
        double x = input[i];
        if (x != 0.0) {
          int row = offset + i * out;
          for (int o = 0; o < out; o++) {
            z[o] += x * w[row + o];
          }
        }
      }
      if (l + 2 < layerSizes.length) {
        for (int o = 0; o < out; o++) {
          z[o] = activate(z[o]);
        }
      }
      offset += in * out + out;
      input = z;
    }
    return Vectors.dense(input);
  }

  private double activate(double z) {
    switch (hidden) {
      case RELU:
        return Math.max(0.0, z);
      case SIGMOID:
        return 1.0 / (1.0 + Math.exp(-z));
      case TANH:
        return Math.tanh(z);
      default:
        return z;
    }
  }

  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    double[] v = ((DenseVector) rawPrediction).values();
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

  /**
   * MLlib's own model with these weights and layers. MLlib's hidden layers are sigmoid, so only a sigmoid network
   * converts; its predictions are then the same as this model's.
   */
  public org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel toMllib() {
    if (hidden != Activation.SIGMOID && layerSizes.length > 2) {
      throw new IllegalStateException("MLlib's MultilayerPerceptronClassificationModel uses sigmoid hidden layers but "
          + "this model uses " + hidden.name().toLowerCase(Locale.ROOT) + "; train with activation 'sigmoid' to "
          + "convert");
    }
    org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel m =
        new org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel(uid(), weights);
    m.set(m.layers(), layerSizes.clone());
    return m;
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
  public MultilayerPerceptronClassificationModel copy(ParamMap extra) {
    MultilayerPerceptronClassificationModel copied = new MultilayerPerceptronClassificationModel(uid(), layerSizes,
        hidden, weights);
    copied.summary = summary;
    return copyValues(copied, extra).setParent(parent());
  }

  private static final StructType DATA_SCHEMA = new StructType(new StructField[] {
      new StructField("layers", DataTypes.createArrayType(DataTypes.IntegerType, false), false, Metadata.empty()),
      new StructField("activation", DataTypes.StringType, false, Metadata.empty()),
      new StructField("weights", SQLDataTypes.VectorType(), false, Metadata.empty())});

  @Override
  public MLWriter write() {
    Integer[] boxed = Arrays.stream(layerSizes).boxed().toArray(Integer[]::new);
    Row data = RowFactory.create(boxed, hidden.name().toLowerCase(Locale.ROOT), weights);
    return ModelPersistence.writer(this, DATA_SCHEMA, data);
  }

  public static MLReader<MultilayerPerceptronClassificationModel> read() {
    return new Reader();
  }

  public static MultilayerPerceptronClassificationModel load(String path) {
    return read().load(path);
  }

  private static final class Reader extends MLReader<MultilayerPerceptronClassificationModel> {
    @Override
    public MultilayerPerceptronClassificationModel load(String path) {
      ModelPersistence.Loaded loaded = ModelPersistence.load(path, sparkSession(),
          MultilayerPerceptronClassificationModel.class.getName());
      Row r = loaded.data();
      List<Integer> layerList = r.getList(r.fieldIndex("layers"));
      int[] layers = layerList.stream().mapToInt(Integer::intValue).toArray();
      String activationName = r.getString(r.fieldIndex("activation"));
      if (!List.of("relu", "sigmoid", "tanh").contains(activationName)) {
        throw ModelPersistence.inconsistent(path, "activation is '" + activationName + "', expected relu, sigmoid "
            + "or tanh");
      }
      Activation activation = Activation.fromName(activationName);
      Vector weights = r.getAs("weights");
      long expected = 0;
      boolean layersValid = layers.length >= 2 && Arrays.stream(layers).allMatch(x -> x >= 1);
      for (int l = 0; layersValid && l + 1 < layers.length; l++) {
        expected += (long) layers[l] * layers[l + 1] + layers[l + 1];
      }
      if (!layersValid || expected != weights.size() || layers[layers.length - 1] < 2) {
        throw ModelPersistence.inconsistent(path, "layers " + Arrays.toString(layers) + " need "
            + (layersValid ? expected + " weights" : "at least 2 positive sizes") + " and at least 2 classes, but "
            + "there are " + weights.size() + " weights");
      }
      ModelPersistence.checkFinite(path, "weights", weights.toArray());
      MultilayerPerceptronClassificationModel model = new MultilayerPerceptronClassificationModel(
          loaded.metadata().uid(), layers, activation, weights);
      ModelPersistence.applyParams(loaded.metadata(), model, path);
      if (!Arrays.equals(model.getLayers(), layers)) {
        throw ModelPersistence.inconsistent(path, "the metadata's layers Param " + Arrays.toString(model.getLayers())
            + " differs from the data's layers " + Arrays.toString(layers));
      }
      return model;
    }
  }
}
