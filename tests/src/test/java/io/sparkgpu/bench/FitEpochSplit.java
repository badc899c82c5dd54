package io.sparkgpu.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A profiling probe, not a benchmark: P2's fit (as {@link ProfileFit}) with a listener on task ends, printing for
 * the steady epochs the driver-timed epoch beside the slowest task's executor run time of that epoch's stage, to
 * separate the trainer from the Spark job around it. Arguments: rows (1000000), epochs (20), fits (2).
 */
public final class FitEpochSplit {
  private FitEpochSplit() {}

  public static void main(String[] args) {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int fits = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    SparkSession spark = BenchData.localSession("spark-gpu-epoch-split");
    Map<Integer, Long> slowestTaskMs = new ConcurrentHashMap<>();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          slowestTaskMs.merge(end.stageId(), end.taskMetrics().executorRunTime(), Math::max);
        }
      }
    });
    try {
      Dataset<Row> df = BenchData.logisticDense(spark, rows, 100, 42, 2).cache();
      System.out.println("rows " + df.count());
      for (int f = 0; f < fits; f++) {
        int firstStage = slowestTaskMs.keySet().stream().max(Integer::compare).orElse(-1) + 1;
        io.sparkgpu.ml.classification.LogisticRegressionModel m =
            new io.sparkgpu.ml.classification.LogisticRegression().setRegParam(1.0 / rows).setStandardization(false)
                .setMaxIter(epochs).setTol(0).fit(df);
        double[] driver = m.summary().epochSeconds();
        List<Integer> stages = new ArrayList<>();
        for (Integer s : slowestTaskMs.keySet()) {
          if (s >= firstStage) {
            stages.add(s);
          }
        }
        stages.sort(Integer::compare);
        // the fit's epochs are its stages before the last one (which collects the model's summary)
        List<Integer> epochStages = stages.subList(Math.max(0, stages.size() - 1 - driver.length),
            Math.max(0, stages.size() - 1));
        double[] task = new double[epochStages.size()];
        for (int i = 0; i < task.length; i++) {
          task[i] = slowestTaskMs.get(epochStages.get(i)) / 1e3;
        }
        double d = Fits.median(Arrays.copyOfRange(driver, 1, driver.length));
        double t = Fits.median(Arrays.copyOfRange(task, 1, task.length));
        System.out.printf(Locale.ROOT, "fit %d: steady epoch (median of 2..%d) driver-timed %.3f s, slowest task's "
            + "run time %.3f s, Spark job around it %.3f s; driver %s; tasks %s%n", f + 1, driver.length, d, t,
            d - t, Fits.list(driver), Fits.list(task));
      }
    } finally {
      spark.stop();
    }
  }
}
