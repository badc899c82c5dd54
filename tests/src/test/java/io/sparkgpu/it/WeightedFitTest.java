package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sample weights (weightCol) enter the objective as MLlib's do: our fits match MLlib's fitted on the same weighted
 * data, and weights that differ from 1 move the model measurably away from the unweighted one.
 */
class WeightedFitTest {
  private static SparkSession spark;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
  }

  private static double maxAbsDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void weightedLogisticRegressionMatchesMllib() {
    // Positive rows weigh 3, negative rows 1 (a common re-balancing): the intercept shifts by about log 3.
    Dataset<Row> heart = TestData.libsvm(spark, TestData.bundled("heart_scale"), 13, true)
        .withColumn("w", functions.when(functions.col("label").equalTo(1.0), 3.0).otherwise(1.0)).cache();
    LogisticRegressionModel ours = new LogisticRegression().setWeightCol("w").setRegParam(0.01).setMaxIter(40)
        .fit(heart);
    org.apache.spark.ml.classification.LogisticRegressionModel mllib =
        new org.apache.spark.ml.classification.LogisticRegression().setWeightCol("w").setRegParam(0.01).fit(heart);
    LogisticRegressionModel unweighted = new LogisticRegression().setRegParam(0.01).setMaxIter(40).fit(heart);
    assertEquals(mllib.intercept(), ours.intercept(), 0.02);
    assertTrue(maxAbsDiff(mllib.coefficients().toArray(), ours.coefficients().toArray()) < 0.02,
        "coefficients " + ours.coefficients() + " vs MLlib " + mllib.coefficients());
    assertTrue(ours.intercept() - unweighted.intercept() > 0.5, "weights 3:1 must raise the intercept: "
        + ours.intercept() + " vs " + unweighted.intercept());
  }

  @Test
  void weightedLinearRegressionMatchesMllib() {
    Dataset<Row> data = SyntheticData.regression(spark, 19L, 10_000, 5, 0.5, 2.0, 2)
        .withColumn("w", functions.expr("CASE WHEN hash(label) % 2 = 0 THEN 5.0 ELSE 1.0 END")).cache();
    LinearRegressionModel ours = new LinearRegression().setWeightCol("w").setRegParam(0.05).fit(data);
    org.apache.spark.ml.regression.LinearRegressionModel mllib =
        new org.apache.spark.ml.regression.LinearRegression().setWeightCol("w").setRegParam(0.05).fit(data);
    assertTrue(maxAbsDiff(mllib.coefficients().toArray(), ours.coefficients().toArray()) < 0.01,
        "coefficients " + ours.coefficients() + " vs MLlib " + mllib.coefficients());
    assertEquals(mllib.intercept(), ours.intercept(), 0.03);
  }
}
