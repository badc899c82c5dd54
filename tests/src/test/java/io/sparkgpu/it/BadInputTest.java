package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table: every case is an input or a setting a user can get wrong, with the exception type it must
 * raise, the fragments its message must hold (the column or Param, the offending value or row count, the setting
 * to change), and the Spark jobs it may start: 0 for everything that needs no data (schema, Params, device, layers
 * against featuresCols), 1 for checks that need the data, which run in the batching pass itself. Models applied to
 * data of the wrong width fail in the scoring job, naming both widths.
 */
class BadInputTest {
  private static SparkSession spark;
  private static JavaSparkContext jsc;
  private static LogisticRegressionModel lrModel;
  private static LinearRegressionModel linModel;
  private static MultilayerPerceptronClassificationModel mlpModel;

  private static final StructType SCHEMA = new StructType(new StructField[] {
      new StructField("label", DataTypes.DoubleType, true, Metadata.empty()),
      new StructField("features", SQLDataTypes.VectorType(), true, Metadata.empty()),
      new StructField("w", DataTypes.DoubleType, true, Metadata.empty()),
      new StructField("name", DataTypes.StringType, true, Metadata.empty()),
      new StructField("arr", DataTypes.createArrayType(DataTypes.DoubleType, true), true, Metadata.empty()),
      new StructField("isVal", DataTypes.IntegerType, true, Metadata.empty()),
      new StructField("x1", DataTypes.DoubleType, true, Metadata.empty()),
      new StructField("x2", DataTypes.DoubleType, true, Metadata.empty())});

  /** One case of the table. */
  record Case(Class<? extends Throwable> type, int jobs, Executable action, List<String> fragments) {}

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> good = df(1, row(0, 1, 2), row(1, 3, 1), row(1, 2, 2), row(0, 0, 1));
    lrModel = new LogisticRegression().setMaxIter(2).fit(good);
    linModel = new LinearRegression().setMaxIter(2).fit(good);
    mlpModel = new MultilayerPerceptronClassifier().setLayers(new int[] {2, 3, 2}).setMaxIter(2).fit(good);
  }

  /** A row: label, dense features, weight 1, name "r", the features as an array, isVal 0, x1/x2 the features. */
  static Row row(double label, double... f) {
    return full(label, Vectors.dense(f), 1.0);
  }

  static Row full(Double label, Vector f, Double w) {
    List<Double> arr = new ArrayList<>();
    if (f != null) {
      for (double v : f.toArray()) {
        arr.add(v);
      }
    }
    double x1 = f != null && f.size() > 0 ? f.apply(0) : 0;
    double x2 = f != null && f.size() > 1 ? f.apply(1) : 0;
    return RowFactory.create(label, f, w, "r", f == null ? null : arr.toArray(new Double[0]), 0, x1, x2);
  }

  /** An array column row (features given only as {@code arr}). */
  static Row arrayRow(double label, Double... arr) {
    return RowFactory.create(label, Vectors.dense(0, 0), 1.0, "r", arr, 0, 0.0, 0.0);
  }

  /** The rows in {@code partitions} partitions, in order (no job). */
  static Dataset<Row> df(int partitions, Row... rows) {
    return spark.createDataFrame(jsc.parallelize(Arrays.asList(rows), partitions), SCHEMA);
  }

  static Dataset<Row> good() {
    return df(1, row(0, 1, 2), row(1, 3, 1), row(1, 2, 2));
  }

  static Dataset<Row> withWeights(Double... w) {
    Row[] rows = new Row[w.length];
    for (int i = 0; i < w.length; i++) {
      rows[i] = full((double) (i % 2), Vectors.dense(i, 1), w[i]);
    }
    return df(1, rows);
  }

  static Case noJob(Executable action, String... fragments) {
    return new Case(IllegalArgumentException.class, 0, action, List.of(fragments));
  }

  static Case onePass(Executable action, String... fragments) {
    return new Case(IllegalArgumentException.class, 1, action, List.of(fragments));
  }

  static Case scoring(Executable action, String... fragments) {
    return new Case(SparkException.class, 1, action, List.of(fragments));
  }

  static LogisticRegression lr() {
    return new LogisticRegression().setMaxIter(2).setNumWorkers(1);
  }

  static LinearRegression lin() {
    return new LinearRegression().setMaxIter(2).setNumWorkers(1);
  }

  static MultilayerPerceptronClassifier mlp(int... layers) {
    return new MultilayerPerceptronClassifier().setLayers(layers).setMaxIter(2).setNumWorkers(1);
  }

  static Stream<Arguments> cases() {
    List<Arguments> t = new ArrayList<>();
    // Columns and types: before any job.
    t.add(Arguments.of("missing featuresCol", noJob(() -> lr().setFeaturesCol("nope").fit(good()),
        "'nope'", "featuresCol", "Available: label, features")));
    t.add(Arguments.of("missing labelCol", noJob(() -> lin().setLabelCol("y").fit(good()), "'y'", "labelCol")));
    t.add(Arguments.of("missing weightCol", noJob(() -> lr().setWeightCol("weight").fit(good()), "'weight'",
        "weightCol")));
    t.add(Arguments.of("missing column in featuresCols", noJob(() -> lr().setFeaturesCols(new String[] {"x1",
        "x9"}).fit(good()), "'x9'", "featuresCols")));
    t.add(Arguments.of("string features", noJob(() -> lr().setFeaturesCol("name").fit(good()), "'name'", "string",
        "VectorAssembler")));
    t.add(Arguments.of("string column in featuresCols", noJob(() -> lin().setFeaturesCols(new String[] {"x1",
        "name"}).fit(good()), "'name'", "featuresCols", "string")));
    t.add(Arguments.of("vector label", noJob(() -> lin().setLabelCol("features").fit(good()), "'features'",
        "vector", "labelCol")));
    t.add(Arguments.of("string label", noJob(() -> lr().setLabelCol("name").fit(good()), "'name'", "string",
        "StringIndexer")));
    t.add(Arguments.of("string weight", noJob(() -> lin().setWeightCol("name").fit(good()), "'name'", "string",
        "weightCol")));
    t.add(Arguments.of("non-boolean validation column", noJob(() -> lr().setValidationIndicatorCol("isVal")
        .fit(good()), "'isVal'", "validationIndicatorCol", "boolean", "int")));
    t.add(Arguments.of("early stopping without validation rows", noJob(() -> lr().setEarlyStoppingPatience(2)
        .fit(good()), "earlyStoppingPatience is 2", "validationIndicatorCol")));
    t.add(Arguments.of("device=cuda without a GPU", noJob(() -> lr().setDevice("cuda").fit(good()), "device=cuda",
        "no usable GPU", "device")));
    t.add(Arguments.of("checkpointDir on an unknown file system", noJob(() -> lr()
        .setCheckpointDir("nosuchfs://bucket/ckpt").fit(good()), "checkpointDir", "nosuchfs")));
    // layers against what is known without data: before any job.
    t.add(Arguments.of("MLP without layers", noJob(() -> new MultilayerPerceptronClassifier().fit(good()),
        "needs layers", "set layers")));
    t.add(Arguments.of("MLP layers vs featuresCols", noJob(() -> mlp(3, 4, 2).setFeaturesCols(new String[] {"x1",
        "x2"}).fit(good()), "layers starts with 3 inputs", "'x1,x2' has 2 features", "set layers to [2, 4, 2]")));
    t.add(Arguments.of("MLP initialWeights vs layers", noJob(() -> mlp(2, 2).setInitialWeights(Vectors.dense(1, 2,
        3)).fit(good()), "initialWeights has 3 values", "need 6", "set initialWeights")));
    // Values in the rows: found by the batching pass, in the same job.
    t.add(Arguments.of("null features", onePass(() -> lr().fit(df(1, row(0, 1, 2), full(1.0, null, 1.0))),
        "'features' is null in row 1 of partition 0", "handleInvalid")));
    t.add(Arguments.of("null label", onePass(() -> lr().fit(df(1, row(0, 1, 2), full(null, Vectors.dense(1, 2),
        1.0))), "'label' is null in row 1", "handleInvalid")));
    t.add(Arguments.of("null weight", onePass(() -> lr().setWeightCol("w").fit(df(1, row(0, 1, 2), full(1.0,
        Vectors.dense(1, 2), null))), "'w' is null in row 1", "weightCol", "handleInvalid")));
    t.add(Arguments.of("null element in an array column", onePass(() -> lr().setFeaturesCol("arr").fit(df(1,
        arrayRow(0, 1.0, 2.0), arrayRow(1, 1.0, null))), "'arr' has a null element at position 1 in row 1",
        "handleInvalid")));
    t.add(Arguments.of("NaN feature", onePass(() -> lr().fit(df(1, row(0, 1, 2), row(1, Double.NaN, 1))),
        "'features': row 1 of partition 0 has NaN at feature 0", "handleInvalid")));
    t.add(Arguments.of("+Inf feature", onePass(() -> lin().fit(df(1, row(0, 1, 2), row(1, 1, Double
        .POSITIVE_INFINITY))), "has Infinity at feature 1", "handleInvalid")));
    t.add(Arguments.of("-Inf feature in an array column", onePass(() -> lin().setFeaturesCol("arr").fit(df(1,
        arrayRow(0, 1.0, 2.0), arrayRow(1, Double.NEGATIVE_INFINITY, 2.0))), "'arr': row 1 of partition 0 has "
        + "-Infinity at feature 0", "handleInvalid")));
    t.add(Arguments.of("NaN label", onePass(() -> lin().fit(df(1, row(0, 1, 2), row(Double.NaN, 1, 1))),
        "'label': row 1 of partition 0 has label NaN", "handleInvalid")));
    t.add(Arguments.of("+Inf label", onePass(() -> lin().fit(df(1, row(Double.POSITIVE_INFINITY, 1, 2))),
        "has label Infinity", "handleInvalid")));
    t.add(Arguments.of("-Inf label for a classifier", onePass(() -> lr().fit(df(1, row(0, 1, 2),
        row(Double.NEGATIVE_INFINITY, 1, 2))), "has label -Infinity", "handleInvalid")));
    t.add(Arguments.of("NaN weight", onePass(() -> lr().setWeightCol("w").fit(withWeights(1.0, Double.NaN)),
        "'w': row 1 of partition 0 has weight NaN", "weightCol", "handleInvalid")));
    t.add(Arguments.of("+Inf weight", onePass(() -> lin().setWeightCol("w").fit(withWeights(Double
        .POSITIVE_INFINITY, 1.0)), "has weight Infinity", "weightCol")));
    t.add(Arguments.of("negative weight", onePass(() -> lr().setWeightCol("w").fit(withWeights(1.0, 1.0, -2.0)),
        "row 2 of partition 0 has weight -2.0", "non-negative", "weightCol", "handleInvalid")));
    t.add(Arguments.of("all-zero weights", onePass(() -> lr().setWeightCol("w").fit(withWeights(0.0, 0.0, 0.0)),
        "'w'", "all 3 rows sum to 0.0", "positive weight", "weightCol")));
    t.add(Arguments.of("fractional class label", onePass(() -> lr().fit(df(1, row(0, 1, 2), row(0.5, 2, 1))),
        "row 1 of partition 0 has label 0.5", "whole numbers", "StringIndexer", "handleInvalid")));
    t.add(Arguments.of("negative class label", onePass(() -> lr().fit(df(1, row(-1, 1, 2), row(0, 2, 1))),
        "row 0 of partition 0 has label -1.0", "whole numbers")));
    t.add(Arguments.of("class label beyond the MLP's classes", onePass(() -> mlp(2, 3).fit(df(1, row(0, 1, 2),
        row(3, 2, 1))), "has label 3.0", "the model has 3 classes", "from 0 to 2", "set the last entry of layers to at least 4")));
    t.add(Arguments.of("single class for binomial", onePass(() -> lr().setFamily("binomial").fit(df(1,
        row(1, 1, 2), row(1, 2, 1))), "'label' holds a single class (1.0) in all 2 rows", "labelCol")));
    t.add(Arguments.of("three classes for family=binomial", onePass(() -> lr().setFamily("binomial").fit(df(1,
        row(0, 1, 2), row(1, 2, 1), row(2, 0, 1))), "Binomial family only supports 1 or 2 outcome classes but "
        + "found 3", "'label'", "set family to 'multinomial'")));
    t.add(Arguments.of("vectors of different sizes in a partition", onePass(() -> lr().fit(df(1, row(0, 1, 2),
        row(1, 1, 2, 3))), "'features': row 1 of partition 0 has 3 features but earlier rows have 2")));
    t.add(Arguments.of("vectors of different sizes across partitions", onePass(() -> lr().setNumWorkers(2).fit(df(2,
        row(0, 1, 2), row(1, 2, 1), row(0, 1, 2, 3), row(1, 3, 2, 1))), "'features': rows of partition 1 have 3 "
        + "features but rows of earlier partitions have 2", "assembled")));
    t.add(Arguments.of("array columns of different lengths", onePass(() -> lin().setFeaturesCol("arr").fit(df(1,
        arrayRow(0, 1.0, 2.0), arrayRow(1, 1.0, 2.0, 3.0))), "'arr': row 1 of partition 0 has 3 features but "
        + "earlier rows have 2")));
    t.add(Arguments.of("empty DataFrame", onePass(() -> lin().fit(good().limit(0)), "found 0",
        "input DataFrame is empty", "filters")));
    t.add(Arguments.of("every row flagged for validation", onePass(() -> lr().setValidationIndicatorCol("v").fit(
        good().withColumn("v", org.apache.spark.sql.functions.lit(true))), "found 0", "flagged in 'v'")));
    t.add(Arguments.of("handleInvalid=skip drops every row", onePass(() -> lr().setHandleInvalid("skip").fit(df(1,
        row(Double.NaN, 1, 2), row(0.5, 2, 1))), "dropped all 2 rows", "handleInvalid")));
    t.add(Arguments.of("MLP layers vs the data's width", onePass(() -> mlp(5, 2).fit(good()),
        "layers starts with 5 inputs but column 'features' has 2 features", "set layers to [2, 2]")));
    // Models applied to data of another width: the scoring job fails on the first row.
    Dataset<Row> wide = df(1, row(0, 1, 2, 3));
    t.add(Arguments.of("LogisticRegressionModel on 3 features", scoring(() -> lrModel.transform(wide).collect(),
        "trained on 2 features but a row has 3")));
    t.add(Arguments.of("LinearRegressionModel on 3 features", scoring(() -> linModel.transform(wide).collect(),
        "trained on 2 features but a row has 3")));
    t.add(Arguments.of("MLP model on 3 features", scoring(() -> mlpModel.transform(wide).collect(),
        "trained on 2 features but a row has 3")));
    return t.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputIsRefusedClearly(String name, Case c) {
    int before = SparkActivity.jobs(spark.sparkContext());
    Throwable e = assertThrows(c.type(), c.action(), name);
    for (String f : c.fragments()) {
      assertTrue(e.getMessage().contains(f), name + ": message '" + e.getMessage() + "' lacks '" + f + "'");
    }
    SparkActivity.awaitIdle(spark.sparkContext());
    assertEquals(c.jobs(), SparkActivity.jobs(spark.sparkContext()) - before, name + ": Spark jobs started");
  }

  /** Shared Params with a value out of their range: Param name and value. */
  static final Object[][] SHARED_BAD_VALUES = {
      {"maxIter", 0}, {"tol", -1e-3}, {"tol", Double.NaN}, {"regParam", -0.1}, {"regParam", Double.POSITIVE_INFINITY},
      {"elasticNetParam", 1.5}, {"batchSize", 0}, {"learningRate", 0.0}, {"learningRate", Double.NaN},
      {"learningRate", Double.POSITIVE_INFINITY}, {"minStepsPerEpoch", 0}, {"optimizer", "lbfgs"},
      {"learningRateSchedule", "linear"}, {"device", "tpu"}, {"numWorkers", -1}, {"maxBatchBytes", 512L},
      {"maxBatchBytes", 1L << 31}, {"earlyStoppingPatience", -1}, {"averagingFrequency", 0},
      {"handleInvalid", "keep"}, {"checkpointDir", " "}, {"checkpointInterval", 0}, {"checkpointInterval", -2}};

  static Stream<Arguments> paramCases() {
    List<Arguments> t = new ArrayList<>();
    java.util.Map<String, java.util.function.Supplier<Object>> estimators = new java.util.LinkedHashMap<>();
    estimators.put("LogisticRegression", LogisticRegression::new);
    estimators.put("LinearRegression", LinearRegression::new);
    estimators.put("MultilayerPerceptronClassifier", MultilayerPerceptronClassifier::new);
    for (java.util.Map.Entry<String, java.util.function.Supplier<Object>> e : estimators.entrySet()) {
      for (Object[] bad : SHARED_BAD_VALUES) {
        if (e.getKey().startsWith("Multilayer") && bad[0].equals("elasticNetParam")) {
          continue; // as in MLlib, the perceptron has only an L2 penalty (regParam) and no setter for it
        }
        t.add(Arguments.of(e.getKey() + "." + bad[0] + "=" + bad[1], e.getValue(), bad[0], bad[1]));
      }
    }
    Object[][] own = {
        {"LogisticRegression", "family", "poisson"}, {"LogisticRegression", "threshold", 1.5},
        {"LogisticRegression", "threshold", -0.5},
        {"MultilayerPerceptronClassifier", "layers", new int[] {4}},
        {"MultilayerPerceptronClassifier", "layers", new int[] {4, 0, 2}},
        {"MultilayerPerceptronClassifier", "activation", "softmax"},
        {"MultilayerPerceptronClassifier", "blockSize", 0}, {"MultilayerPerceptronClassifier", "solver", "adam"},
        {"MultilayerPerceptronClassifier", "stepSize", 0.0}};
    for (Object[] bad : own) {
      String shown = bad[2] instanceof int[] ? Arrays.toString((int[]) bad[2]) : String.valueOf(bad[2]);
      t.add(Arguments.of(bad[0] + "." + bad[1] + "=" + shown, estimators.get((String) bad[0]), bad[1], bad[2]));
    }
    return t.stream();
  }

  /**
   * Every Param refuses a value out of its range when it is set, before any job, with Spark's message naming the
   * Param and the value; the setter exists on every estimator that has the Param.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("paramCases")
  void paramOutOfRangeIsRefusedWhenSet(String name, java.util.function.Supplier<Object> make, String param,
      Object value) throws Exception {
    int before = SparkActivity.jobs(spark.sparkContext());
    Object estimator = make.get();
    java.lang.reflect.Method setter = null;
    String setterName = "set" + Character.toUpperCase(param.charAt(0)) + param.substring(1);
    for (java.lang.reflect.Method m : estimator.getClass().getMethods()) {
      if (m.getName().equals(setterName) && m.getParameterCount() == 1
          && (m.getParameterTypes()[0].isPrimitive() ? boxed(m.getParameterTypes()[0]) : m.getParameterTypes()[0])
              .isInstance(value)) {
        setter = m;
      }
    }
    assertTrue(setter != null, estimator.getClass().getSimpleName() + " lacks " + setterName + "("
        + value.getClass().getSimpleName() + ")");
    java.lang.reflect.Method chosen = setter;
    java.lang.reflect.InvocationTargetException e = assertThrows(java.lang.reflect.InvocationTargetException.class,
        () -> chosen.invoke(estimator, value), name);
    Throwable cause = e.getCause();
    assertTrue(cause instanceof IllegalArgumentException, name + ": " + cause);
    String shown = value instanceof int[] ? "" : String.valueOf(value).trim();
    assertTrue(cause.getMessage().contains("parameter " + param + " given invalid value " + shown),
        name + ": " + cause.getMessage());
    assertEquals(before, SparkActivity.jobs(spark.sparkContext()), name + ": no job");
  }

  private static Class<?> boxed(Class<?> primitive) {
    return primitive == int.class ? Integer.class : primitive == long.class ? Long.class
        : primitive == double.class ? Double.class : Boolean.class;
  }
}
