package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.TrainingSummary;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The training controls every model has: a validation indicator column (held-out rows, their loss and metric per
 * epoch), early stopping that returns the best epoch's model, and the averaging frequency.
 */
class TrainingControlsTest {
  private static SparkSession spark;
  private static Dataset<Row> classes;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    // 4 classes; every fifth row is held out for validation.
    classes = SyntheticData.classes(spark, 31L, 6_000, 10, 4, 0.5, 2)
        .withColumn("isVal", functions.monotonically_increasing_id().mod(5).equalTo(0)).cache();
  }

  @Test
  void validationMetricIsTheHeldOutAccuracyOfTheModel() {
    LogisticRegressionModel model = new LogisticRegression().setValidationIndicatorCol("isVal").setMaxIter(8)
        .setNumWorkers(2).fit(classes);
    TrainingSummary s = model.summary();
    assertEquals(8, s.totalIterations());
    assertEquals(8, s.validationLossHistory().length);
    for (double v : s.validationLossHistory()) {
      assertTrue(Double.isFinite(v) && v > 0, "validation loss " + v);
    }
    Dataset<Row> held = classes.filter("isVal");
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(model.transform(held));
    double[] metric = s.validationMetricHistory();
    // Scored in double precision here, in float32 during training: at most one row of ~1200 may differ.
    assertEquals(accuracy, metric[metric.length - 1], 1.0 / held.count() + 1e-9);
    assertEquals(8, s.epochSeconds().length);
    assertTrue(s.rowsPerSecond()[0] > 0);
  }

  @Test
  void validationRowsDoNotTrain() {
    LogisticRegression lr = new LogisticRegression().setMaxIter(3).setNumWorkers(1).setSeed(4L);
    LogisticRegressionModel withFlag = lr.copy(org.apache.spark.ml.param.ParamMap.empty())
        .setValidationIndicatorCol("isVal").fit(classes);
    LogisticRegressionModel onTrainingRowsOnly = lr.fit(classes.filter("NOT isVal"));
    assertArrayEquals(onTrainingRowsOnly.coefficientMatrix().toArray(), withFlag.coefficientMatrix().toArray(), 1e-6);
  }

  @Test
  void regressionValidationMetricIsTheHeldOutRmse() {
    Dataset<Row> data = SyntheticData.regression(spark, 8L, 5_000, 5, 2.0, 1.0, 2)
        .withColumn("isVal", functions.monotonically_increasing_id().mod(4).equalTo(0)).cache();
    LinearRegressionModel model = new LinearRegression().setValidationIndicatorCol("isVal").setMaxIter(6).fit(data);
    double rmse = new RegressionEvaluator().setMetricName("rmse").evaluate(model.transform(data.filter("isVal")));
    double[] metric = model.summary().validationMetricHistory();
    assertEquals(rmse, metric[metric.length - 1], 1e-3 * rmse);
  }

  @Test
  void earlyStoppingReturnsTheBestEpoch() {
    // Validation labels are the training rule reversed: every epoch that fits the training rows better makes the
    // validation loss worse, so the best epoch is the first one and training stops `patience` epochs later.
    Dataset<Row> data = classes.filter("label < 2")
        .withColumn("label", functions.when(functions.col("isVal"), functions.lit(1.0).minus(functions.col("label")))
            .otherwise(functions.col("label")));
    LogisticRegression lr = new LogisticRegression().setLearningRateSchedule("constant").setNumWorkers(2)
        .setSeed(9L).setMinStepsPerEpoch(1);
    LogisticRegressionModel early = lr.copy(org.apache.spark.ml.param.ParamMap.empty())
        .setValidationIndicatorCol("isVal").setEarlyStoppingPatience(2).setMaxIter(20).fit(data);
    TrainingSummary s = early.summary();
    assertTrue(s.stoppedEarly());
    assertEquals(1, s.bestEpoch());
    assertEquals(3, s.totalIterations(), "epoch 1 is best; epochs 2 and 3 fail to improve; stop after 3");
    double[] loss = s.validationLossHistory();
    assertTrue(loss[1] > loss[0] && loss[2] > loss[0], java.util.Arrays.toString(loss));
    // The model returned is the one after epoch 1: the same as a one-epoch fit without validation rows.
    LogisticRegressionModel oneEpoch = lr.copy(org.apache.spark.ml.param.ParamMap.empty()).setMaxIter(1)
        .fit(data.filter("NOT isVal"));
    assertArrayEquals(oneEpoch.coefficients().toArray(), early.coefficients().toArray(), 1e-7);
    assertEquals(oneEpoch.intercept(), early.intercept(), 1e-7);
  }

  @Test
  void earlyStoppingWithoutValidationColumnIsRefusedBeforeAnyJob() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LogisticRegression().setEarlyStoppingPatience(3).fit(classes));
    assertTrue(e.getMessage().contains("validationIndicatorCol"), e.getMessage());
  }

  @Test
  void averagingFrequencyChangesNothingOnOnePartitionAndStillTrainsOnTwo() {
    MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {10, 16, 4})
        .setMaxIter(4).setSeed(2L);
    MultilayerPerceptronClassificationModel once = mlp.copy(org.apache.spark.ml.param.ParamMap.empty())
        .setNumWorkers(1).fit(classes);
    MultilayerPerceptronClassificationModel fourTimes = mlp.copy(org.apache.spark.ml.param.ParamMap.empty())
        .setNumWorkers(1).setAveragingFrequency(4).fit(classes);
    // One partition: averaging is the identity, so splitting the epoch into rounds changes no arithmetic.
    assertArrayEquals(once.weights().toArray(), fourTimes.weights().toArray(), 0.0);

    MultilayerPerceptronClassificationModel twoWorkers = mlp.copy(org.apache.spark.ml.param.ParamMap.empty())
        .setNumWorkers(2).setAveragingFrequency(4).fit(classes);
    double acc1 = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(once.transform(classes));
    double acc2 = new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(twoWorkers.transform(classes));
    assertFalse(java.util.Arrays.equals(once.weights().toArray(), twoWorkers.weights().toArray()));
    assertTrue(acc2 > acc1 - 0.02, "two workers averaging 4 times per epoch: " + acc2 + " vs " + acc1);
  }
}
