package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.regression.LinearRegression;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "The defaults are the product": with nothing set but the columns, our estimators score on held-out data as well
 * as MLlib's estimators at their defaults, fitted in the same test, on data that is small or large, dense or sparse,
 * with two or many classes. Accuracy may trail MLlib's by at most half a point; RMSE may exceed it by at most 1%.
 */
class DefaultSettingsTest {
  private static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
  }

  private static double accuracy(Model<?> model, Dataset<Row> test) {
    return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(test));
  }

  private static void classifiesAsWellAsMllib(String name, Dataset<Row> train, Dataset<Row> test) {
    double ours = accuracy(new LogisticRegression().fit(train), test);
    double mllib = accuracy(new org.apache.spark.ml.classification.LogisticRegression().fit(train), test);
    System.err.printf("defaults %s: accuracy ours %.4f, MLlib %.4f%n", name, ours, mllib);
    assertTrue(ours >= mllib - 0.005, name + ": accuracy " + ours + " vs MLlib " + mllib);
  }

  @Test
  void smallDenseBinary() {
    Dataset<Row> heart = TestData.libsvm(spark, TestData.bundled("heart_scale"), 13, true);
    Dataset<Row>[] split = heart.randomSplit(new double[] {0.7, 0.3}, 17L);
    classifiesAsWellAsMllib("heart_scale", split[0].cache(), split[1].cache());
  }

  @Test
  void sparseBinary() {
    classifiesAsWellAsMllib("a9a", TestData.libsvm(spark, TestData.bundled("a9a.gz"), 123, true).cache(),
        TestData.libsvm(spark, TestData.bundled("a9a.t.gz"), 123, true).cache());
  }

  @Test
  void denseManyClasses() {
    Dataset<Row> data = SyntheticData.classes(spark, 21L, 30_000, 20, 8, 0.6, 2);
    Dataset<Row>[] split = data.randomSplit(new double[] {0.8, 0.2}, 3L);
    classifiesAsWellAsMllib("synthetic 8 classes", split[0].cache(), split[1].cache());
  }

  @Test
  void smallRegression() {
    Dataset<Row> lines = spark.read().text(TestData.bundled("lpsa.data").toString());
    Column parts = functions.split(functions.col("value"), ",");
    Dataset<Row> data = lines.select(parts.getItem(0).cast("double").as("label"),
        org.apache.spark.ml.functions.array_to_vector(functions.split(parts.getItem(1), " ").cast("array<double>"))
            .as("features")).cache();
    RegressionEvaluator rmse = new RegressionEvaluator().setMetricName("rmse");
    double ours = rmse.evaluate(new LinearRegression().fit(data).transform(data));
    double mllib = rmse.evaluate(new org.apache.spark.ml.regression.LinearRegression().fit(data).transform(data));
    System.err.printf("defaults lpsa: RMSE ours %.4f, MLlib %.4f%n", ours, mllib);
    assertTrue(ours <= mllib * 1.01, "RMSE " + ours + " vs MLlib " + mllib);
  }
}
