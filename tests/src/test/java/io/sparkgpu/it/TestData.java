package io.sparkgpu.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test data: sets bundled in the repository ({@code examples/data}, always present) and the shared sets
 * ({@code ../shared/data}, absent in a user's clone: tests that need them are skipped with the path in the reason).
 */
public final class TestData {
  private TestData() {}

  public static Path bundled(String name) {
    Path p = Paths.get(System.getProperty("sparkgpu.bundled.dir", "../examples/data")).resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("Bundled data set missing: " + p.toAbsolutePath());
    }
    return p;
  }

  public static Path shared(String relative) {
    String dir = System.getProperty("sparkgpu.shared.dir", "../../shared");
    Path p = Paths.get(dir).resolve("data").resolve(relative).toAbsolutePath().normalize();
    Assumptions.assumeTrue(Files.isRegularFile(p), "shared data set not present, skipping: " + p);
    return p;
  }

  /** A libsvm file as (label, features) with labels -1/+1 mapped to 0/1 when {@code binary}. */
  public static Dataset<Row> libsvm(SparkSession spark, Path file, int numFeatures, boolean binary) {
    Dataset<Row> df = spark.read().format("libsvm").option("numFeatures", Integer.toString(numFeatures))
        .load(file.toString());
    if (binary) {
      df = df.withColumn("label", functions.when(functions.col("label").gt(0), 1.0).otherwise(0.0));
    }
    return df;
  }
}
