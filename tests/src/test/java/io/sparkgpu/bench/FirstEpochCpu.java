package io.sparkgpu.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A profiling probe, not a benchmark: fits our LogisticRegression on a cached synthetic dense set in local[2] and
 * reports, per epoch number, the executor CPU time and run time its tasks took (summed over partitions, from Spark's
 * task metrics). CPU time is far less sensitive than wall time to other processes on a shared machine, so the first
 * epoch's extra cost (making partitions resident) can be compared across builds. Arguments: rows (1000000), epochs
 * (2), fits (5), features (100).
 */
public final class FirstEpochCpu {
  private FirstEpochCpu() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int fits = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int d = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    SparkSession spark = BenchData.localSession("spark-gpu-first-epoch");
    Map<Integer, String> stageJob = new ConcurrentHashMap<>();
    Map<String, long[]> byJob = new ConcurrentHashMap<>(); // description -> {cpu ns, run ms}
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        String description = start.properties() == null ? null
            : start.properties().getProperty("spark.job.description");
        if (description != null) {
          scala.collection.Iterator<Object> it = start.stageIds().iterator();
          while (it.hasNext()) {
            stageJob.put((Integer) it.next(), description);
          }
        }
      }

      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        String description = stageJob.get(end.stageId());
        if (description != null && end.taskMetrics() != null) {
          long[] sums = byJob.computeIfAbsent(description, k -> new long[2]);
          synchronized (sums) {
            sums[0] += end.taskMetrics().executorCpuTime();
            sums[1] += end.taskMetrics().executorRunTime();
          }
        }
      }
    });
    try {
      Dataset<Row> df = BenchData.logisticDense(spark, rows, d, 42, 2).cache();
      System.out.println("rows " + df.count());
      List<double[]> perFit = new ArrayList<>();
      for (int f = 0; f < fits; f++) {
        byJob.clear();
        new io.sparkgpu.ml.classification.LogisticRegression().setRegParam(1.0 / rows).setStandardization(false)
            .setMaxIter(epochs).setTol(0).fit(df);
        spark.sparkContext().listenerBus().waitUntilEmpty();
        double[] cpu = new double[epochs * 2];
        for (Map.Entry<String, long[]> e : byJob.entrySet()) {
          for (int ep = 1; ep <= epochs; ep++) {
            if (e.getKey().contains(" epoch " + ep + "/")) {
              cpu[2 * (ep - 1)] += e.getValue()[0] / 1e9;
              cpu[2 * (ep - 1) + 1] += e.getValue()[1] / 1e3;
            }
          }
        }
        perFit.add(cpu);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "fit %d:", f + 1));
        for (int ep = 0; ep < epochs; ep++) {
          line.append(String.format(Locale.ROOT, " epoch %d task cpu %.3f s run %.3f s;", ep + 1, cpu[2 * ep],
              cpu[2 * ep + 1]));
        }
        System.out.println(line);
      }
      if (fits > 1) {
        double[] first = perFit.stream().skip(1).mapToDouble(c -> c[0]).sorted().toArray();
        double[] firstRun = perFit.stream().skip(1).mapToDouble(c -> c[1]).sorted().toArray();
        double[] second = perFit.stream().skip(1).mapToDouble(c -> c.length > 2 ? c[2] : 0).sorted().toArray();
        System.out.printf(Locale.ROOT, "median over fits 2..%d: epoch 1 task cpu %.3f s (run %.3f s), epoch 2 task "
            + "cpu %.3f s%n", fits, median(first), median(firstRun), median(second));
      }
    } finally {
      spark.stop();
    }
  }

  private static double median(double[] sorted) {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }
}
