package io.sparkgpu.bench;

import io.sparkgpu.arrow.DatasetBatcher;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

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
    double[][] times = Throughput.ingestSeconds(data, repeats).seconds();
    double[] batch = times[0];
    double[] noop = times[1];
    double b = Fits.median(batch);
    double n = Fits.median(noop);
    double np = Fits.median(times[2]);
    System.out.printf(Locale.ROOT, "PROBE %s: batching median %.3f s %s; no-op median %.3f s %s; ratio %.1f%%; "
        + "no-op with its plan reused %.3f s %s, ratio %.1f%%%n", data.key(), b, Arrays.toString(Fits.roundedToMillis(batch)), n,
        Arrays.toString(Fits.roundedToMillis(noop)), 100 * n / b, np, Arrays.toString(Fits.roundedToMillis(times[2])), 100 * np / b);
  }
}
