package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.examples.TrainPipeline;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two pipeline examples run as a user runs them: through Spark's own {@code SparkSubmit} in a child JVM whose
 * class path is Spark's jars only, spark-gpu from the shaded jar given to {@code --jars}, the application from the
 * examples jar, the plugin enabled, {@code local[2]}. What they print and save is checked against this JVM's own
 * reading of the saved model and against MLlib's LogisticRegression on the same data.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class ExamplesSubmitIT {
  private static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(4);
  private static SparkSession spark;
  private static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    dir = SparkInstall.workDir("examples");
    spark = SparkSession.builder().master("local[2]").appName("ExamplesSubmitIT")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** spark-submit --master local[2] --jars dist.jar --conf spark.plugins=... --class main examples.jar args. */
  private static ChildJvm submit(String name, String mainClass, String... args) throws Exception {
    List<String> jvm = SparkInstall.jvmOptions();
    jvm.add("-Xmx2g");
    jvm.add("-Dlog4j2.configurationFile=" + SparkInstall.log4jConfig());
    jvm.add("-cp");
    jvm.add(SparkInstall.sparkClasspath());
    List<String> submitArgs = new ArrayList<>(List.of("--master", "local[2]",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.plugins=io.sparkgpu.plugin.SparkGpuPlugin",
        "--jars", SparkInstall.distJar().toString(),
        "--class", mainClass,
        SparkInstall.examplesJar().toString()));
    submitArgs.addAll(List.of(args));
    return ChildJvm.start(name, dir, jvm, "org.apache.spark.deploy.SparkSubmit", submitArgs,
        SparkInstall.environment(dir.resolve("spark-home")));
  }

  private static String group(String text, String regex, String what, ChildJvm child) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new AssertionError(child.name() + " did not print " + what + " (/" + regex + "/)\n" + child.tail());
    }
    return m.group(1);
  }

  private static Dataset<Row> a9a(String file) {
    return spark.read().format("libsvm").option("numFeatures", "123")
        .load(TestData.bundled(file).toString());
  }

  @Test
  void trainThenScoreThroughSparkSubmit() throws Exception {
    Path model = dir.resolve("a9a-model");
    Path predictions = dir.resolve("a9a-predictions");
    Dataset<Row> train = a9a("a9a.gz");
    Dataset<Row> test = a9a("a9a.t.gz");
    double accuracy;
    double auc;
    try (ChildJvm child = submit("train-pipeline", "io.sparkgpu.examples.TrainPipeline",
        TestData.bundled("a9a.gz").toString(), TestData.bundled("a9a.t.gz").toString(), model.toString())) {
      // While the example trains: MLlib's own LogisticRegression on the same data, prepared by the same SQL.
      SQLTransformer prepare = new SQLTransformer().setStatement(TrainPipeline.PREPARE);
      org.apache.spark.ml.classification.LogisticRegressionModel mllib =
          new org.apache.spark.ml.classification.LogisticRegression().setRegParam(1e-4)
              .fit(prepare.transform(train));
      double mllibAccuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
          .evaluate(mllib.transform(prepare.transform(test)));
      long trainRows = train.count();
      long testRows = test.count();

      assertEquals(0, child.awaitExit(SUBMIT_TIMEOUT), "TrainPipeline's exit code\n" + child.tail());
      String out = child.stdout();
      String err = child.stderr();
      assertEquals(trainRows + " training rows, " + testRows + " test rows, 123",
          group(out, "TrainPipeline: (\\d+ training rows, \\d+ test rows, \\d+) features", "row counts", child));
      accuracy = Double.parseDouble(group(out, "test accuracy ([0-9.]+)", "the accuracy", child));
      auc = Double.parseDouble(group(out, "test areaUnderROC ([0-9.]+)", "the AUC", child));
      assertEquals(mllibAccuracy, accuracy, 0.005, "TrainPipeline's accuracy vs MLlib's on a9a");
      // The plugin ran in the spark-submit JVM (local mode: one executor, "driver") and the fit logged its epochs.
      assertTrue(err.contains("spark-gpu executor plugin started: executor driver on "), child.tail());
      assertTrue(err.contains("spark-gpu executor plugin shut down cleanly on executor driver"), child.tail());
      assertTrue(Pattern.compile("LogisticRegression epoch 20/20: objective [0-9.]+ over " + trainRows
          + " rows in [0-9.]+ s \\(\\d+ rows/s\\) on cpu \\(device=auto").matcher(err).find(), child.tail());
    }

    try (ChildJvm child = submit("score-pipeline", "io.sparkgpu.examples.ScorePipeline", model.toString(),
        TestData.bundled("a9a.t.gz").toString(), predictions.toString())) {
      // While the example scores: the saved model, read here with MLlib's reader, scores the test set exactly as
      // TrainPipeline printed.
      PipelineModel saved = PipelineModel.load(model.toString());
      assertEquals(2, saved.stages().length);
      assertTrue(saved.stages()[0] instanceof SQLTransformer);
      assertEquals(TrainPipeline.PREPARE, ((SQLTransformer) saved.stages()[0]).getStatement());
      assertTrue(saved.stages()[1] instanceof LogisticRegressionModel);
      Dataset<Row> scored = saved.transform(test).cache();
      double ourAccuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
      double ourAuc = new BinaryClassificationEvaluator().setMetricName("areaUnderROC").evaluate(scored);
      assertEquals(ourAccuracy, accuracy, 1e-6, "printed accuracy vs the saved model's");
      assertEquals(ourAuc, auc, 1e-6, "printed AUC vs the saved model's");
      long positives = scored.filter(functions.col("prediction").equalTo(1.0)).count();
      double probabilitySum = scored.select(functions.sum(org.apache.spark.ml.functions.vector_to_array(
          functions.col("probability"), "float64").getItem(1))).first().getDouble(0);
      double labelSum = scored.agg(functions.sum("label")).first().getDouble(0);

      assertEquals(0, child.awaitExit(SUBMIT_TIMEOUT), "ScorePipeline's exit code\n" + child.tail());
      String out = child.stdout();
      assertEquals("2", group(out, "loaded (\\d+) stages", "the stage count", child));
      assertEquals(test.count() + " rows, " + positives + " predicted 1.0",
          group(out, "scored (\\d+ rows, \\d+ predicted 1.0)", "the scored counts", child));
      assertEquals(ourAccuracy, Double.parseDouble(group(out, "accuracy ([0-9.]+)", "the accuracy", child)), 1e-6);
      assertTrue(child.stderr().contains("spark-gpu executor plugin shut down cleanly on executor driver"),
          child.tail());

      Dataset<Row> written = spark.read().parquet(predictions.toString());
      assertEquals(List.of("label", "probability", "prediction"), List.of(written.columns()));
      assertEquals(test.count(), written.count());
      assertEquals(positives, written.filter(functions.col("prediction").equalTo(1.0)).count());
      Row sums = written.agg(functions.sum("probability"), functions.sum("label")).first();
      assertEquals(probabilitySum, sums.getDouble(0), 1e-9 * test.count(), "sum of P(1) over the test rows");
      assertEquals(labelSum, sums.getDouble(1), 0.0, "sum of the labels");
      assertEquals(0, written.filter(functions.col("prediction")
          .notEqual(functions.when(functions.col("probability").gt(0.5), 1.0).otherwise(0.0))).count(),
          "prediction is P(1) > 0.5 on every row");
    }
  }
}
