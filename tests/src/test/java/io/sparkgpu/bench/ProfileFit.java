package io.sparkgpu.bench;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A profiling target, not a benchmark: fits our LogisticRegression a few times on a cached synthetic dense set in
 * local[2] so that a sampling profiler (JFR: {@code -XX:StartFlightRecording=filename=fit.jfr,settings=profile})
 * sees ingest and epochs. Arguments: rows (default 1000000), epochs (20), fits (3), features (100).
 */
public final class ProfileFit {
  private ProfileFit() {}

  public static void main(String[] args) {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int fits = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int d = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    SparkSession spark = BenchData.localSession("spark-gpu-profile");
    try {
      Dataset<Row> df = BenchData.logisticDense(spark, rows, d, 42, 2).cache();
      System.out.println("rows " + df.count());
      for (int f = 0; f < fits; f++) {
        long t0 = System.nanoTime();
        io.sparkgpu.ml.classification.LogisticRegressionModel m = new io.sparkgpu.ml.classification.LogisticRegression()
            .setRegParam(1.0 / rows).setStandardization(false).setMaxIter(epochs).setTol(0).fit(df);
        System.out.printf("fit %d: %.2f s, epochs %s%n", f + 1, (System.nanoTime() - t0) / 1e9,
            Fits.list(m.summary().epochSeconds()));
      }
    } finally {
      spark.stop();
    }
  }
}
