package io.sparkgpu.examples;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import java.nio.file.Paths;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The main example: trains spark-gpu's LogisticRegression on a9a (sparse, 123 features) and LinearRegression on
 * the prostate-cancer data (lpsa, 8 features), each beside MLlib's own estimator with the same settings, and prints
 * their metrics and fit times.
 *
 * <pre>
 * spark-submit --class io.sparkgpu.examples.TrainLinearModels --jars spark-gpu.jar examples.jar [dataDir]
 * </pre>
 * The data directory defaults to {@code examples/data}. The master defaults to {@code local[2]} when none is set.
 */
public final class TrainLinearModels {
  private TrainLinearModels() {}

  public static void main(String[] args) {
    String dataDir = args.length > 0 ? args[0] : "examples/data";
    SparkSession spark = SparkSession.builder().appName("spark-gpu example: linear models")
        .master(System.getProperty("spark.master", "local[2]"))
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    try {
      classify(spark, dataDir);
      regress(spark, dataDir);
    } finally {
      spark.stop();
    }
  }

  private static Dataset<Row> libsvm(SparkSession spark, String file) {
    Dataset<Row> df = spark.read().format("libsvm").option("numFeatures", "123").load(file);
    // a9a labels are -1/+1; MLlib classifiers want 0/1.
    return df.withColumn("label", functions.when(functions.col("label").gt(0), 1.0).otherwise(0.0));
  }

  private static void classify(SparkSession spark, String dataDir) {
    Dataset<Row> train = libsvm(spark, Paths.get(dataDir, "a9a.gz").toString()).cache();
    Dataset<Row> test = libsvm(spark, Paths.get(dataDir, "a9a.t.gz").toString()).cache();
    System.out.printf("a9a: %d training rows, %d test rows, 123 sparse features%n", train.count(), test.count());

    long t0 = System.nanoTime();
    LogisticRegressionModel ours = new LogisticRegression().setRegParam(1e-4).fit(train);
    double ourSeconds = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    org.apache.spark.ml.classification.LogisticRegressionModel mllib =
        new org.apache.spark.ml.classification.LogisticRegression().setRegParam(1e-4).fit(train);
    double mllibSeconds = (System.nanoTime() - t0) / 1e9;

    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setMetricName("areaUnderROC");
    MulticlassClassificationEvaluator acc = new MulticlassClassificationEvaluator().setMetricName("accuracy");
    Dataset<Row> ourScores = ours.transform(test);
    Dataset<Row> mllibScores = mllib.transform(test);
    System.out.printf("LogisticRegression  spark-gpu: accuracy %.4f  AUC %.4f  fit %.1f s  (%d epochs)%n",
        acc.evaluate(ourScores), auc.evaluate(ourScores), ourSeconds, ours.summary().totalIterations());
    System.out.printf("LogisticRegression  MLlib:     accuracy %.4f  AUC %.4f  fit %.1f s%n",
        acc.evaluate(mllibScores), auc.evaluate(mllibScores), mllibSeconds);
  }

  private static void regress(SparkSession spark, String dataDir) {
    // lpsa.data lines are "label,f1 f2 ... f8".
    Dataset<Row> lines = spark.read().text(Paths.get(dataDir, "lpsa.data").toString());
    Column parts = functions.split(functions.col("value"), ",");
    Column features = functions.split(parts.getItem(1), " ");
    Dataset<Row> table = lines.select(parts.getItem(0).cast("double").as("label"),
        features.getItem(0).cast("double").as("lcavol"), features.getItem(1).cast("double").as("lweight"),
        features.getItem(2).cast("double").as("age"), features.getItem(3).cast("double").as("lbph"),
        features.getItem(4).cast("double").as("svi"), features.getItem(5).cast("double").as("lcp"),
        features.getItem(6).cast("double").as("gleason"), features.getItem(7).cast("double").as("pgg45"));
    Dataset<Row> data = new VectorAssembler()
        .setInputCols(new String[] {"lcavol", "lweight", "age", "lbph", "svi", "lcp", "gleason", "pgg45"})
        .setOutputCol("features").transform(table).cache();

    LinearRegressionModel ours = new LinearRegression().setRegParam(0.01).fit(data);
    org.apache.spark.ml.regression.LinearRegressionModel mllib =
        new org.apache.spark.ml.regression.LinearRegression().setRegParam(0.01).fit(data);
    RegressionEvaluator rmse = new RegressionEvaluator().setMetricName("rmse");
    System.out.printf("LinearRegression    spark-gpu: RMSE %.4f  coefficients %s  intercept %.4f%n",
        rmse.evaluate(ours.transform(data)), ours.coefficients(), ours.intercept());
    System.out.printf("LinearRegression    MLlib:     RMSE %.4f  coefficients %s  intercept %.4f%n",
        rmse.evaluate(mllib.transform(data)), mllib.coefficients(), mllib.intercept());
  }
}
