package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Multinomial logistic regression on MNIST (../shared/data/mnist, 60,000 x 784 dense) with default settings:
 * test accuracy at least 91.5% (liblinear one-vs-rest, C=1, reaches 91.99%).
 */
class MnistLogisticRegressionTest {
  @Test
  void reachesLiblinearClassAccuracy() {
    SparkSession spark = SharedSpark.get();
    Dataset<Row> train = MnistData.load(spark, TestData.shared("mnist/train-images-idx3-ubyte.gz"),
        TestData.shared("mnist/train-labels-idx1-ubyte.gz"), 2).cache();
    Dataset<Row> test = MnistData.load(spark, TestData.shared("mnist/t10k-images-idx3-ubyte.gz"),
        TestData.shared("mnist/t10k-labels-idx1-ubyte.gz"), 2).cache();
    try {
      LogisticRegressionModel model = new LogisticRegression().fit(train);
      assertTrue(model.isMultinomial());
      double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
          .evaluate(model.transform(test));
      System.err.printf("MNIST multinomial LR: test accuracy %.4f after %d epochs%n", accuracy,
          model.summary().totalIterations());
      assertTrue(accuracy >= 0.915, "test accuracy " + accuracy + " below 0.915");
    } finally {
      train.unpersist();
      test.unpersist();
    }
  }
}
