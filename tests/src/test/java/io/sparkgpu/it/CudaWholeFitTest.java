package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.cuda.CudaAvailability;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whole fits on the CUDA backend against the CPU backend, same data, seed and partitioning: the models agree within
 * float32 tolerance (summation orders differ on the GPU). Runs wherever a usable GPU exists; elsewhere every test is
 * reported as skipped with the reason the probe gives.
 */
@Tag("gpu")
class CudaWholeFitTest {
  private static SparkSession spark;

  @BeforeEach
  void requireGpu() {
    CudaAvailability cuda = BackendSelector.cudaAvailability();
    Assumptions.assumeTrue(cuda.usable(), "no usable GPU, skipping the CUDA whole-fit tests: "
        + cuda.reasonUnusable());
    spark = SharedSpark.get();
  }

  @Test
  void logisticRegressionOnA9aMatchesTheCpuModel() {
    Dataset<Row> a9a = TestData.libsvm(spark, TestData.bundled("a9a.gz"), 123, true).cache();
    LogisticRegression lr = new LogisticRegression().setRegParam(1e-4).setNumWorkers(2).setSeed(3L);
    LogisticRegressionModel cpu = lr.setDevice("cpu").fit(a9a);
    LogisticRegressionModel gpu = lr.setDevice("cuda").fit(a9a);
    assertArrayEquals(cpu.coefficients().toArray(), gpu.coefficients().toArray(), 1e-3);
    assertEquals(cpu.intercept(), gpu.intercept(), 1e-3);
  }

  @Test
  void linearRegressionMatchesTheCpuModel() {
    Dataset<Row> data = SyntheticData.regression(spark, 12L, 20_000, 10, 1.5, 0.5, 2).cache();
    LinearRegression lr = new LinearRegression().setRegParam(0.1).setElasticNetParam(0.5).setNumWorkers(2)
        .setSeed(3L);
    LinearRegressionModel cpu = lr.setDevice("cpu").fit(data);
    LinearRegressionModel gpu = lr.setDevice("cuda").fit(data);
    assertArrayEquals(cpu.coefficients().toArray(), gpu.coefficients().toArray(), 1e-3);
    assertEquals(cpu.intercept(), gpu.intercept(), 1e-3);
  }
}
