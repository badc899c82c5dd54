package io.sparkgpu.bench;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/**
 * A profiling target, not a benchmark: fits our LogisticRegression on a9a with a small maxIter several times and
 * prints every Spark job's name and duration, to see the fixed cost of a fit. Arguments: maxIter (2), fits (5).
 */
public final class FitProbe {
  private FitProbe() {}

  public static void main(String[] args) {
    int maxIter = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int fits = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    SparkSession spark = BenchData.localSession("spark-gpu-fit-probe");
    java.util.Map<Integer, long[]> starts = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.Map<Integer, String> names = new java.util.concurrent.ConcurrentHashMap<>();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart e) {
        starts.put(e.jobId(), new long[] {e.time()});
        String d = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
        names.put(e.jobId(), d != null ? d : "job " + e.jobId());
      }

      @Override
      public void onJobEnd(SparkListenerJobEnd e) {
        System.out.printf("    job %d %d ms: %s%n", e.jobId(), e.time() - starts.get(e.jobId())[0],
            names.get(e.jobId()));
      }
    });
    try {
      BenchData.Named a9a = BenchData.a9a(spark);
      Fits.Setting s = new Fits.Setting(1.0 / a9a.shape().rows(), false);
      for (int f = 0; f < fits; f++) {
        Fits.Result r = Fits.ours(a9a.df(), s, maxIter);
        System.out.printf("fit %d: %.3f s, epochs %s%n", f + 1, r.seconds(), Fits.list(r.epochSeconds()));
      }
    } finally {
      spark.stop();
    }
  }
}
