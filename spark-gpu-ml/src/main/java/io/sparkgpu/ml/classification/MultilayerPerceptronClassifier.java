package io.sparkgpu.ml.classification;

import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.ml.TrainingSummary;
import io.sparkgpu.ml.fit.EngineFit;
import io.sparkgpu.ml.fit.FeatureVectorizer;
import io.sparkgpu.ml.param.ParamRegistry;
import io.sparkgpu.ml.param.StageUid;
import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.train.FitPlan;
import io.sparkgpu.train.TrainingSettings;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * A feed-forward classifier (dense hidden layers with relu, sigmoid or tanh; softmax output with cross-entropy)
 * trained by spark-gpu's engine: a twin of MLlib's {@code MultilayerPerceptronClassifier} with its {@code layers},
 * {@code blockSize}, {@code solver}, {@code stepSize} and {@code initialWeights} Params, plus {@code activation} and
 * the shared trainer Params. The same engine as the linear models with hidden layers. A thin entry point.
 */
public class MultilayerPerceptronClassifier
    extends ProbabilisticClassifier<Vector, MultilayerPerceptronClassifier, MultilayerPerceptronClassificationModel>
    implements MultilayerPerceptronParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private ParamRegistry registry;

  public MultilayerPerceptronClassifier() {
    this(Identifiable$.MODULE$.randomUID("mlpc"));
  }

  public MultilayerPerceptronClassifier(String uid) {
    this(StageUid.pending(uid), true);
  }

  private MultilayerPerceptronClassifier(String uid, boolean initialised) {
    super();
    this.uid = uid;
    StageUid.clear();
    // Defaults that differ from the linear models: MLlib's block size as the mini-batch, a smaller Adam step.
    setDefault(batchSize(), 128);
    setDefault(learningRate(), 0.002);
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

  public MultilayerPerceptronClassifier setLayers(int[] value) {
    set(layers(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setActivation(String value) {
    set(activation(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public MultilayerPerceptronClassifier setBlockSize(int value) {
    set(blockSize(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setSolver(String value) {
    set(solver(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public MultilayerPerceptronClassifier setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setInitialWeights(Vector value) {
    set(initialWeights(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setTol(double value) {
    set(tol(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setRegParam(double value) {
    set(regParam(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setStandardization(boolean value) {
    set(standardization(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setWeightCol(String value) {
    set(weightCol(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setFeaturesCols(String[] value) {
    set(featuresCols(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setLearningRate(double value) {
    set(learningRate(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setMinStepsPerEpoch(int value) {
    set(minStepsPerEpoch(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setEarlyStoppingPatience(int value) {
    set(earlyStoppingPatience(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setAveragingFrequency(int value) {
    set(averagingFrequency(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setOptimizer(String value) {
    set(optimizer(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public MultilayerPerceptronClassifier setLearningRateSchedule(String value) {
    set(learningRateSchedule(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public MultilayerPerceptronClassifier setDevice(String value) {
    set(device(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public MultilayerPerceptronClassifier setNumWorkers(int value) {
    set(numWorkers(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setMaxBatchBytes(long value) {
    set(maxBatchBytes(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setHandleInvalid(String value) {
    set(handleInvalid(), value.toLowerCase(Locale.ROOT));
    return this;
  }

  public MultilayerPerceptronClassifier setCheckpointDir(String value) {
    set(checkpointDir(), value);
    return this;
  }

  public MultilayerPerceptronClassifier setCheckpointInterval(int value) {
    set(checkpointInterval(), value);
    return this;
  }

  /**
   * Checks the layers before any job against what is known without the data: initialWeights, the number of
   * featuresCols, and the size a Vector column's metadata records (VectorAssembler's output has it). The width of
   * other inputs is checked after batching, the labels while batching.
   */
  private void validateLayers(StructType schema) {
    if (!isDefined(layers())) {
      throw new IllegalArgumentException("MultilayerPerceptronClassifier needs layers (input size, hidden sizes, "
          + "number of classes); set layers, e.g. [784, 128, 10]");
    }
    int[] layers = getLayers();
    if (isDefined(initialWeights())) {
      long expected = 0;
      for (int l = 0; l + 1 < layers.length; l++) {
        expected += (long) layers[l] * layers[l + 1] + layers[l + 1];
      }
      if (getInitialWeights().size() != expected) {
        throw new IllegalArgumentException("initialWeights has " + getInitialWeights().size() + " values but layers "
            + Arrays.toString(layers) + " need " + expected + "; set initialWeights to match layers");
      }
    }
    int known = -1;
    String column = EngineFit.features(this, getFeaturesCol()).describe();
    if (getFeaturesCols().length > 0) {
      known = getFeaturesCols().length;
    } else if (Arrays.asList(schema.fieldNames()).contains(getFeaturesCol())
        && schema.apply(getFeaturesCol()).dataType() instanceof org.apache.spark.ml.linalg.VectorUDT) {
      known = org.apache.spark.ml.attribute.AttributeGroup.fromStructField(schema.apply(getFeaturesCol())).size();
    }
    if (known >= 0 && known != layers[0]) {
      throw new IllegalArgumentException("layers starts with " + layers[0] + " inputs but column '" + column
          + "' has " + known + " features; set layers to " + withInput(layers, known));
    }
  }

  @Override
  public MultilayerPerceptronClassificationModel fit(Dataset<?> dataset) {
    validateLayers(dataset.schema());
    EngineFit.validate(dataset, this, getFeaturesCol(), getLabelCol());
    return super.fit(dataset);
  }

  @Override
  public MultilayerPerceptronClassificationModel train(Dataset<?> dataset) {
    int[] layers = getLayers();
    Activation hidden = Activation.fromName(getActivation());
    Vector initial = isDefined(initialWeights()) ? getInitialWeights() : null;
    boolean gd = getSolver().equals("gd");
    double stepSize = getStepSize();
    int batch = isSet(blockSize()) ? getBlockSize() : getBatchSize();
    EngineFit.Outcome outcome = EngineFit.run("MultilayerPerceptronClassifier", dataset, this, getFeaturesCol(),
        getLabelCol(), LabelKind.CLASS_INDEX, new EngineFit.Planner() {
          @Override
          public FitPlan plan(io.sparkgpu.arrow.PartitionStatistics stats, TrainingSettings settings,
              int partitions) {
            if (stats.numFeatures() != layers[0]) {
              throw new IllegalArgumentException("layers starts with " + layers[0] + " inputs but column '"
                  + EngineFit.features(MultilayerPerceptronClassifier.this, getFeaturesCol()).describe()
                  + "' has " + stats.numFeatures() + " features; set layers to " + withInput(layers,
                      stats.numFeatures()));
            }
            int classes = layers[layers.length - 1];
            if (stats.labelMax() >= classes) {
              throw new IllegalArgumentException("Column '" + getLabelCol() + "' has label " + stats.labelMax()
                  + " but layers ends with " + classes + " classes (labels 0 to " + (classes - 1) + "); set the "
                  + "last entry of layers to at least " + ((int) stats.labelMax() + 1));
            }
            return FitPlan.network(layers, hidden, stats, settings, partitions,
                initial != null ? initial.toArray() : null);
          }

          @Override
          public int batchSize(TrainerParams params) {
            return batch;
          }

          @Override
          public int numClasses() {
            return layers[layers.length - 1];
          }

          @Override
          public String numClassesSetting() {
            return "the last entry of layers";
          }

          @Override
          public TrainingSettings adjust(TrainingSettings s) {
            if (!gd) {
              return s;
            }
            return new TrainingSettings(OptimizerKind.SGD, stepSize, s.scaleLearningRateWithWorkers(), 0.0,
                s.batchSize(), s.epochs(), s.schedule(), s.seed(), s.regParam(), s.elasticNetParam(),
                s.standardization(), s.fitIntercept(), s.maxDenseBytes(), s.minStepsPerEpoch());
          }
        });
    double[] raw = outcome.plan().config().scaling().toRaw(outcome.plan().config().spec(), outcome.result().params());
    MultilayerPerceptronClassificationModel model = new MultilayerPerceptronClassificationModel(uid(), layers,
        hidden, Vectors.dense(raw));
    model.setSummary(TrainingSummary.of(outcome.result(), outcome.skipped()));
    return copyValues(model, ParamMap.empty());
  }

  private static String withInput(int[] layers, int inputs) {
    int[] fixed = layers.clone();
    fixed[0] = inputs;
    return Arrays.toString(fixed);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return FeatureVectorizer.transformSchema(schema, this, getFeaturesCol(), getLabelCol(), super::transformSchema,
        FeatureVectorizer.classifierOutputs(getRawPredictionCol(), getProbabilityCol(),
        getPredictionCol()));
  }

  @Override
  public MultilayerPerceptronClassifier copy(ParamMap extra) {
    return (MultilayerPerceptronClassifier) defaultCopy(extra);
  }

  public static MLReader<MultilayerPerceptronClassifier> read() {
    return io.sparkgpu.ml.persistence.ModelPersistence.stageReader(MultilayerPerceptronClassifier.class);
  }

  public static MultilayerPerceptronClassifier load(String path) {
    return read().load(path);
  }
}
