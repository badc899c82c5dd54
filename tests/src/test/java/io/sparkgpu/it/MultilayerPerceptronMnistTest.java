package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The classic case: a 784-128-10 MLP on MNIST (../shared/data/mnist) through the public API at default settings
 * reaches at least 97.5% test accuracy.
 */
class MultilayerPerceptronMnistTest {
  @Test
  void denseMnistClassifierReaches975() {
    SparkSession spark = SharedSpark.get();
    Dataset<Row> train = MnistData.load(spark, TestData.shared("mnist/train-images-idx3-ubyte.gz"),
        TestData.shared("mnist/train-labels-idx1-ubyte.gz"), 2).cache();
    Dataset<Row> test = MnistData.load(spark, TestData.shared("mnist/t10k-images-idx3-ubyte.gz"),
        TestData.shared("mnist/t10k-labels-idx1-ubyte.gz"), 2).cache();
    try {
      long t0 = System.nanoTime();
      MultilayerPerceptronClassificationModel model = new MultilayerPerceptronClassifier()
          .setLayers(new int[] {784, 128, 10}).setSeed(1L).fit(train);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
          .evaluate(model.transform(test));
      System.err.printf("MNIST MLP 784-128-10: test accuracy %.4f after %d epochs in %.1f s%n", accuracy,
          model.summary().totalIterations(), seconds);
      assertTrue(accuracy >= 0.975, "test accuracy " + accuracy + " below 0.975");
    } finally {
      train.unpersist();
      test.unpersist();
    }
  }
}
