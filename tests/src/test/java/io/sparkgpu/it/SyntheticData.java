package io.sparkgpu.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Seeded synthetic data sets generated inside the partitions (nothing large travels in tasks). */
public final class SyntheticData {
  private SyntheticData() {}

  /** True coefficients of {@link #regression}: β_j = (j % 5 - 2) · 0.5 · (1 + j / 10). */
  public static double[] trueCoefficients(int d) {
    double[] b = new double[d];
    for (int j = 0; j < d; j++) {
      b[j] = (j % 5 - 2) * 0.5 * (1 + j / 10.0);
    }
    return b;
  }

  /**
   * y = x·β + intercept + noise·N(0,1), with features x_j ~ N(mean_j, scale_j²) of varied means and scales
   * (mean_j = j - d/2, scale_j = 0.5 + j % 4), in {@code partitions} partitions.
   */
  public static Dataset<Row> regression(SparkSession spark, long seed, int rows, int d, double intercept,
      double noise, int partitions) {
    double[] beta = trueCoefficients(d);
    List<Integer> parts = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      parts.add(p);
    }
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(parts, partitions).flatMap(p -> {
          Random r = new Random(seed * 7919 + p);
          int n = rows / partitions + (p < rows % partitions ? 1 : 0);
          List<Row> out = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            double[] x = new double[d];
            double y = intercept;
            for (int j = 0; j < d; j++) {
              x[j] = (j - d / 2.0) + (0.5 + j % 4) * r.nextGaussian();
              y += beta[j] * x[j];
            }
            y += noise * r.nextGaussian();
            out.add(RowFactory.create(y, Vectors.dense(x)));
          }
          return out.iterator();
        }), schema());
  }

  static org.apache.spark.sql.types.StructType schema() {
    return MnistData.SCHEMA;
  }

  /**
   * k classes in d dimensions: class centres c_k ~ N(0, sep²), rows x = c_y + N(0, 1), labels uniform.
   */
  public static Dataset<Row> classes(SparkSession spark, long seed, int rows, int d, int k, double sep,
      int partitions) {
    Random centres = new Random(seed);
    double[][] c = new double[k][d];
    for (double[] row : c) {
      for (int j = 0; j < d; j++) {
        row[j] = sep * centres.nextGaussian();
      }
    }
    List<Integer> parts = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      parts.add(p);
    }
    return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(parts, partitions).flatMap(p -> {
          Random r = new Random(seed * 104729 + p);
          int n = rows / partitions + (p < rows % partitions ? 1 : 0);
          List<Row> out = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            int y = r.nextInt(k);
            double[] x = new double[d];
            for (int j = 0; j < d; j++) {
              x[j] = c[y][j] + r.nextGaussian();
            }
            out.add(RowFactory.create((double) y, Vectors.dense(x)));
          }
          return out.iterator();
        }), schema());
  }
}
