package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the maths says the number of partitions does not matter — full-batch gradient steps with plain SGD or
 * momentum and an L2 penalty: averaging P partition gradients weighted by rows is the full gradient — 1, 2 and 4
 * partitions give the same model. And a fixed seed and partitioning reproduce a fit exactly.
 */
class PartitioningTest {
  private static SparkSession spark;
  private static Dataset<Row> regression;
  private static Dataset<Row> heart;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    regression = SyntheticData.regression(spark, 5L, 4_000, 6, -1.0, 0.3, 4).cache();
    heart = TestData.libsvm(spark, TestData.bundled("heart_scale"), 13, true).cache();
  }

  private static LinearRegressionModel fullBatchLinear(int workers, String optimizer) {
    return new LinearRegression().setNumWorkers(workers).setOptimizer(optimizer).setLearningRate(0.1)
        .setBatchSize(1_000_000).setMinStepsPerEpoch(1).setLearningRateSchedule("constant").setMaxIter(30)
        .setRegParam(0.05).setTol(0).fit(regression);
  }

  @Test
  void fullBatchLinearRegressionIsTheSameOnOneTwoAndFourPartitions() {
    for (String optimizer : new String[] {"sgd", "momentum"}) {
      LinearRegressionModel one = fullBatchLinear(1, optimizer);
      for (int p : new int[] {2, 4}) {
        LinearRegressionModel many = fullBatchLinear(p, optimizer);
        // Float32 parameters and gradients summed in different orders: agreement to ~1e-5 relative.
        assertArrayEquals(one.coefficients().toArray(), many.coefficients().toArray(), 1e-4,
            optimizer + " with " + p + " partitions");
        assertEquals(one.intercept(), many.intercept(), 1e-4, optimizer + " intercept with " + p + " partitions");
      }
    }
  }

  @Test
  void fullBatchLogisticRegressionIsTheSameOnOneTwoAndFourPartitions() {
    LogisticRegression lr = new LogisticRegression().setOptimizer("sgd").setLearningRate(0.5)
        .setBatchSize(1_000_000).setMinStepsPerEpoch(1).setLearningRateSchedule("constant").setMaxIter(25)
        .setRegParam(0.01).setTol(0);
    LogisticRegressionModel one = lr.setNumWorkers(1).fit(heart);
    for (int p : new int[] {2, 4}) {
      LogisticRegressionModel many = lr.setNumWorkers(p).fit(heart);
      assertArrayEquals(one.coefficients().toArray(), many.coefficients().toArray(), 1e-4, p + " partitions");
      assertEquals(one.intercept(), many.intercept(), 1e-4);
    }
  }

  @Test
  void aFixedSeedAndPartitioningReproduceTheFitExactly() {
    LogisticRegression lr = new LogisticRegression().setNumWorkers(2).setBatchSize(32).setMaxIter(5).setSeed(7L);
    LogisticRegressionModel a = lr.fit(heart);
    LogisticRegressionModel b = lr.fit(heart);
    assertArrayEquals(a.coefficients().toArray(), b.coefficients().toArray(), 0.0);
    assertEquals(a.intercept(), b.intercept(), 0.0);
    // And the seed matters: mini-batch order changes the stochastic path.
    LogisticRegressionModel c = lr.setSeed(8L).fit(heart);
    double diff = 0;
    for (int j = 0; j < 13; j++) {
      diff = Math.max(diff, Math.abs(a.coefficients().apply(j) - c.coefficients().apply(j)));
    }
    org.junit.jupiter.api.Assertions.assertTrue(diff > 0, "another seed gave the identical model");
  }
}
