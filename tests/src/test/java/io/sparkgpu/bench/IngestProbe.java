package io.sparkgpu.bench;

import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.arrow.BatchingOptions;
import io.sparkgpu.arrow.DatasetBatcher;
import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.LabelKind;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * A measuring target for ingest alone, not part of the report: times {@link DatasetBatcher#batch} against a no-op
 * drain of the same selected columns' {@code toRdd} exactly as {@code Throughput.ingest} (P4) does, with more
 * repeats. Arguments: repeats (default 7), data sets ("synth,a9a"), rows of the synthetic set (1000000).
 */
public final class IngestProbe {
  private IngestProbe() {}

  public static void main(String[] args) {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    String sets = args.length > 1 ? args[1] : "synth,a9a";
    long rows = args.length > 2 ? Long.parseLong(args[2]) : 1_000_000L;
    SparkSession spark = BenchData.localSession("spark-gpu-ingest-probe");
    try {
      if (sets.contains("synth")) {
        BenchData.Named s = BenchData.synthetic(spark, "synth", rows, 100);
        probe(s, repeats);
        s.df().unpersist(true);
      }
      if (sets.contains("a9a")) {
        BenchData.Named a = BenchData.a9a(spark);
        probe(a, repeats);
        a.df().unpersist(true);
      }
    } finally {
      spark.stop();
    }
  }

  private static void probe(BenchData.Named data, int repeats) {
    Dataset<Row> selected = data.df().select(functions.col("features"), functions.col("label"),
        functions.lit(1.0).as("weight"));
    double[] batch = new double[repeats];
    double[] noop = new double[repeats];
    for (int r = -1; r < repeats; r++) {
      System.gc();
      long t0 = System.nanoTime();
      try (BatchedDataset b = DatasetBatcher.batch(data.df(), FeatureColumns.single("features"), "label", null,
          LabelKind.CLASS_INDEX, BatchingOptions.DEFAULT_MAX_BATCH_BYTES, 2)) {
        if (b.statistics().rows() != data.shape().rows()) {
          throw new IllegalStateException("Batched " + b.statistics().rows() + " rows of " + data.shape().rows());
        }
        if (r >= 0) {
          batch[r] = (System.nanoTime() - t0) / 1e9;
        }
      }
      System.gc();
      t0 = System.nanoTime();
      selected.queryExecution().toRdd().toJavaRDD().foreachPartition(it -> BenchData.drain(it));
      if (r >= 0) {
        noop[r] = (System.nanoTime() - t0) / 1e9;
      }
    }
    double b = Fits.median(batch);
    double n = Fits.median(noop);
    System.out.printf(Locale.ROOT, "PROBE %s: batching median %.3f s %s; no-op median %.3f s %s; ratio %.1f%%%n",
        data.key(), b, Arrays.toString(round(batch)), n, Arrays.toString(round(noop)), 100 * n / b);
  }

  private static double[] round(double[] xs) {
    double[] out = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      out[i] = Math.round(xs[i] * 1000) / 1000.0;
    }
    return out;
  }
}
