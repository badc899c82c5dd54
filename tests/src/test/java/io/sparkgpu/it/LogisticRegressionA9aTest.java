package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binary logistic regression on a9a (sparse, 123 features, bundled in examples/data): test accuracy against
 * liblinear's published 84.99%, and the training log-loss against MLlib's LogisticRegression fitted in the same
 * test with the same regularisation (C = 1: regParam = 1/n, no standardisation, no intercept).
 */
class LogisticRegressionA9aTest {
  private static SparkSession spark;
  private static Dataset<Row> train;
  private static Dataset<Row> test;

  @BeforeAll
  static void load() {
    spark = SharedSpark.get();
    train = TestData.libsvm(spark, TestData.bundled("a9a.gz"), 123, true).cache();
    test = TestData.libsvm(spark, TestData.bundled("a9a.t.gz"), 123, true).cache();
  }

  /** Mean log-loss of a model's probability column: an evaluation independent of either trainer. */
  static double logLoss(Dataset<Row> scored) {
    Dataset<Row> p = scored.withColumn("p", org.apache.spark.ml.functions.vector_to_array(
        functions.col("probability"), "float64"));
    return p.select(functions.expr("avg(-(label * ln(greatest(p[1], 1e-15))"
        + " + (1 - label) * ln(greatest(p[0], 1e-15))))")).first().getDouble(0);
  }

  static double accuracy(Dataset<Row> scored) {
    return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
  }

  @Test
  void matchesLiblinearAccuracyAndMllibLoss() {
    double regParam = 1.0 / train.count();
    LogisticRegressionModel ours = new LogisticRegression().setRegParam(regParam).setStandardization(false)
        .setFitIntercept(false).setNumWorkers(2).fit(train);
    org.apache.spark.ml.classification.LogisticRegressionModel mllib =
        new org.apache.spark.ml.classification.LogisticRegression().setRegParam(regParam).setStandardization(false)
            .setFitIntercept(false).setMaxIter(200).setTol(1e-9).fit(train);
    Dataset<Row> ourTrain = ours.transform(train);
    Dataset<Row> ourTest = ours.transform(test);
    double ourLoss = logLoss(ourTrain);
    double mllibLoss = logLoss(mllib.transform(train));
    double ourAcc = accuracy(ourTest);
    double mllibAcc = accuracy(mllib.transform(test));
    System.err.printf("a9a: ours loss %.5f acc %.4f; MLlib loss %.5f acc %.4f%n", ourLoss, ourAcc, mllibLoss,
        mllibAcc);
    assertTrue(ourAcc >= 0.845, "test accuracy " + ourAcc + " below 0.845 (liblinear: 0.8499)");
    assertTrue(ourLoss <= mllibLoss * 1.01, "training log-loss " + ourLoss + " not within 1% of MLlib's "
        + mllibLoss);
  }
}
