package io.sparkgpu.it.isolated;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgpu.faults.FaultInjection;
import io.sparkgpu.it.SparkActivity;
import io.sparkgpu.it.SyntheticData;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tasks are pure: with the first attempt of partition 0 failing in the batching job and in every epoch (after doing
 * its work), Spark's retries give exactly the model of a clean run, for every estimator.
 */
class TaskRetryTest {
  private static SparkSession spark;
  private static Dataset<Row> classes;

  @BeforeAll
  static void setUp() {
    spark = RetryingSpark.get();
    classes = SyntheticData.classes(spark, 12L, 4_000, 8, 3, 1.0, 2)
        .withColumn("isVal", functions.monotonically_increasing_id().mod(5).equalTo(0)).cache();
  }

  /** Fits clean, then with one failing attempt per job; returns {failures seen, expected}. */
  private static <M> M[] cleanAndFaulty(Supplier<M> fit, M[] out, int epochs) {
    out[0] = fit.get();
    int before = SparkActivity.failedTasks(spark.sparkContext());
    spark.sparkContext().setLocalProperty(FaultInjection.FAIL_FIRST_ATTEMPT, "true");
    try {
      out[1] = fit.get();
    } finally {
      spark.sparkContext().setLocalProperty(FaultInjection.FAIL_FIRST_ATTEMPT, null);
    }
    SparkActivity.awaitIdle(spark.sparkContext());
    assertEquals(1 + epochs, SparkActivity.failedTasks(spark.sparkContext()) - before,
        "one failed attempt in the batching job and one in every epoch");
    return out;
  }

  @Test
  void logisticRegressionIsUnchangedByRetriedTasks() {
    LogisticRegressionModel[] m = cleanAndFaulty(() -> new LogisticRegression().setMaxIter(5).setNumWorkers(2)
        .setSeed(3L).setRegParam(0.01).fit(classes), new LogisticRegressionModel[2], 5);
    assertArrayEquals(m[0].coefficientMatrix().toArray(), m[1].coefficientMatrix().toArray(), 0.0);
    assertArrayEquals(m[0].interceptVector().toArray(), m[1].interceptVector().toArray(), 0.0);
    assertArrayEquals(m[0].summary().objectiveHistory(), m[1].summary().objectiveHistory(), 0.0);
  }

  @Test
  void linearRegressionIsUnchangedByRetriedTasks() {
    Dataset<Row> data = SyntheticData.regression(spark, 4L, 3_000, 5, 2.0, 0.5, 2);
    LinearRegressionModel[] m = cleanAndFaulty(() -> new LinearRegression().setMaxIter(4).setNumWorkers(2)
        .setOptimizer("momentum").setRegParam(0.1).setElasticNetParam(0.5).fit(data), new LinearRegressionModel[2],
        4);
    assertArrayEquals(m[0].coefficients().toArray(), m[1].coefficients().toArray(), 0.0);
    assertEquals(m[0].intercept(), m[1].intercept(), 0.0);
  }

  @Test
  void perceptronWithValidationAndRoundsIsUnchangedByRetriedTasks() {
    MultilayerPerceptronClassificationModel[] m = cleanAndFaulty(() -> new MultilayerPerceptronClassifier()
        .setLayers(new int[] {8, 6, 3}).setMaxIter(4).setNumWorkers(2).setSeed(1L).setAveragingFrequency(2)
        .setValidationIndicatorCol("isVal").fit(classes), new MultilayerPerceptronClassificationModel[2], 4);
    assertArrayEquals(m[0].weights().toArray(), m[1].weights().toArray(), 0.0);
    assertArrayEquals(m[0].summary().validationLossHistory(), m[1].summary().validationLossHistory(), 0.0);
  }
}
