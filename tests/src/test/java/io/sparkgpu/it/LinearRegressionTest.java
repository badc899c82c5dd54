package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Linear regression on a seeded synthetic problem (20,000 rows, 10 features of varied means and scales): recovers
 * the true coefficients, and matches MLlib's LinearRegression (its own solver, run in the same test) with the same
 * regParam and elasticNetParam.
 */
class LinearRegressionTest {
  private static final int D = 10;
  private static final double INTERCEPT = 3.0;
  private static SparkSession spark;
  private static Dataset<Row> data;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    data = SyntheticData.regression(spark, 11L, 20_000, D, INTERCEPT, 0.5, 2).cache();
  }

  @Test
  void recoversTheTrueCoefficients() {
    LinearRegressionModel m = new LinearRegression().fit(data);
    double[] truth = SyntheticData.trueCoefficients(D);
    for (int j = 0; j < D; j++) {
      // Noise 0.5 over 20,000 rows: the least-squares error of each coefficient is ~0.005 at most here.
      assertEquals(truth[j], m.coefficients().apply(j), 0.02, "coefficient " + j);
    }
    assertEquals(INTERCEPT, m.intercept(), 0.05, "intercept");
  }

  /** Tolerances: coefficients within 1% of the largest MLlib coefficient, RMSE within 0.5% of MLlib's. */
  @ParameterizedTest(name = "regParam {0}, elasticNetParam {1}, standardization {2}, {3}")
  @CsvSource({"0.0, 0.0, true, adam", "0.1, 0.0, true, adam", "0.1, 0.5, true, adam", "0.1, 0.5, false, adam",
      "0.3, 1.0, true, adam", "0.3, 1.0, true, momentum", "0.1, 0.5, false, momentum"})
  void matchesMllib(double regParam, double elasticNet, boolean standardization, String optimizer) {
    LinearRegressionModel ours = new LinearRegression().setRegParam(regParam).setElasticNetParam(elasticNet)
        .setStandardization(standardization).setOptimizer(optimizer).fit(data);
    org.apache.spark.ml.regression.LinearRegressionModel mllib = new org.apache.spark.ml.regression.LinearRegression()
        .setRegParam(regParam).setElasticNetParam(elasticNet).setStandardization(standardization).setTol(1e-10)
        .setMaxIter(500).fit(data);
    double scale = 0;
    for (double c : mllib.coefficients().toArray()) {
      scale = Math.max(scale, Math.abs(c));
    }
    System.err.printf("linreg reg=%s en=%s std=%s ours %s + %.5f | MLlib %s + %.5f%n", regParam, elasticNet,
        standardization, ours.coefficients(), ours.intercept(), mllib.coefficients(), mllib.intercept());
    for (int j = 0; j < D; j++) {
      assertEquals(mllib.coefficients().apply(j), ours.coefficients().apply(j), 0.01 * scale, "coefficient " + j);
    }
    RegressionEvaluator rmse = new RegressionEvaluator().setMetricName("rmse");
    double ourRmse = rmse.evaluate(ours.transform(data));
    double mllibRmse = rmse.evaluate(mllib.transform(data));
    assertTrue(ourRmse <= mllibRmse * 1.005, "RMSE " + ourRmse + " vs MLlib " + mllibRmse);
  }
}
