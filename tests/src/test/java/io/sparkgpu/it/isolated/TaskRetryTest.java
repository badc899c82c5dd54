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
import io.sparkgpu.plugin.PluginConfig;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tasks are pure: with the first attempt of partition 0 failing in the batching job and in every epoch (after doing
 * its work), Spark's retries give exactly the model of a clean run, for every estimator; both with the fit's epochs
 * as one long-lived local job (where the one failed attempt is in epoch 1, and its retry trains every epoch) and
 * with one job per epoch.
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

  /**
   * Fits clean, then with one failing attempt per job: in the local job of all epochs ({@code out[1]}), then with one
   * job per epoch ({@code out[2]}), counting the failed attempts of each.
   */
  private static <M> M[] cleanAndFaulty(Supplier<M> fit, M[] out, int epochs) {
    out[0] = fit.get();
    out[1] = faulty(fit, true, 1 + 1, "one failed attempt in the batching job and one in the local job");
    out[2] = faulty(fit, false, 1 + epochs, "one failed attempt in the batching job and one in every epoch");
    return out;
  }

  private static <M> M faulty(Supplier<M> fit, boolean localLoop, int failures, String expected) {
    int before = SparkActivity.failedTasks(spark.sparkContext());
    spark.sparkContext().setLocalProperty(FaultInjection.FAIL_FIRST_ATTEMPT, "true");
    spark.sparkContext().setLocalProperty(PluginConfig.LOCAL_EPOCH_LOOP.name(), Boolean.toString(localLoop));
    M model;
    try {
      model = fit.get();
    } finally {
      spark.sparkContext().setLocalProperty(FaultInjection.FAIL_FIRST_ATTEMPT, null);
      spark.sparkContext().setLocalProperty(PluginConfig.LOCAL_EPOCH_LOOP.name(), null);
    }
    SparkActivity.awaitIdle(spark.sparkContext());
    assertEquals(failures, SparkActivity.failedTasks(spark.sparkContext()) - before, expected);
    return model;
  }

  @Test
  void logisticRegressionIsUnchangedByRetriedTasks() {
    LogisticRegressionModel[] m = cleanAndFaulty(() -> new LogisticRegression().setMaxIter(5).setNumWorkers(2)
        .setSeed(3L).setRegParam(0.01).fit(classes), new LogisticRegressionModel[3], 5);
    for (int i = 1; i <= 2; i++) {
      assertArrayEquals(m[0].coefficientMatrix().toArray(), m[i].coefficientMatrix().toArray(), 0.0);
      assertArrayEquals(m[0].interceptVector().toArray(), m[i].interceptVector().toArray(), 0.0);
      assertArrayEquals(m[0].summary().objectiveHistory(), m[i].summary().objectiveHistory(), 0.0);
    }
  }

  @Test
  void linearRegressionIsUnchangedByRetriedTasks() {
    Dataset<Row> data = SyntheticData.regression(spark, 4L, 3_000, 5, 2.0, 0.5, 2);
    LinearRegressionModel[] m = cleanAndFaulty(() -> new LinearRegression().setMaxIter(4).setNumWorkers(2)
        .setOptimizer("momentum").setRegParam(0.1).setElasticNetParam(0.5).fit(data), new LinearRegressionModel[3],
        4);
    for (int i = 1; i <= 2; i++) {
      assertArrayEquals(m[0].coefficients().toArray(), m[i].coefficients().toArray(), 0.0);
      assertEquals(m[0].intercept(), m[i].intercept(), 0.0);
    }
  }

  @Test
  void perceptronWithValidationAndRoundsIsUnchangedByRetriedTasks() {
    MultilayerPerceptronClassificationModel[] m = cleanAndFaulty(() -> new MultilayerPerceptronClassifier()
        .setLayers(new int[] {8, 6, 3}).setMaxIter(4).setNumWorkers(2).setSeed(1L).setAveragingFrequency(2)
        .setValidationIndicatorCol("isVal").fit(classes), new MultilayerPerceptronClassificationModel[3], 4);
    for (int i = 1; i <= 2; i++) {
      assertArrayEquals(m[0].weights().toArray(), m[i].weights().toArray(), 0.0);
      assertArrayEquals(m[0].summary().validationLossHistory(), m[i].summary().validationLossHistory(), 0.0);
    }
  }
}
