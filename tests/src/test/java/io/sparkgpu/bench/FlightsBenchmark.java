package io.sparkgpu.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The flights set (3M rows): predict delay > 15 minutes. Features are prepared in Spark SQL: one-hot hour of day,
 * day of week and month, distance and its log, and for origin and destination the delay rate and log row count of
 * the training split (target encoding on the training rows only). 80/20 random split (seed 7); both trainers at
 * their defaults, fitted on the same cached training DataFrame; AUC on the test split by MLlib's evaluator.
 */
final class FlightsBenchmark {
  private final BenchmarkRunner.Context ctx;

  FlightsBenchmark(BenchmarkRunner.Context ctx) {
    this.ctx = ctx;
  }

  void run(int repeats) {
    Path file = BenchData.sharedDir().resolve("flights/flights-3m.parquet");
    if (!java.nio.file.Files.isRegularFile(file)) {
      ctx.log("flights not found at %s: skipped", file);
      return;
    }
    String key = "flights.";
    ResultStore store = ctx.store();
    store.clear(key);
    ctx.stamp(key);
    SparkSession spark = ctx.spark();
    Dataset<Row> raw = spark.read().parquet(file.toString())
        .withColumn("label", functions.when(functions.col("delay").gt(15), 1.0).otherwise(0.0))
        .withColumn("hour", functions.hour(functions.col("date")))
        .withColumn("dow", functions.dayofweek(functions.col("date")))
        .withColumn("month", functions.month(functions.col("date")));
    Dataset<Row>[] split = raw.randomSplit(new double[] {0.8, 0.2}, 7);
    Dataset<Row> trainRaw = split[0].cache();
    Dataset<Row> origin = trainRaw.groupBy("origin").agg(functions.avg("label").as("origin_rate"),
        functions.log1p(functions.count(functions.lit(1))).as("origin_logn"));
    Dataset<Row> dest = trainRaw.groupBy("destination").agg(functions.avg("label").as("dest_rate"),
        functions.log1p(functions.count(functions.lit(1))).as("dest_logn"));
    double prior = trainRaw.agg(functions.avg("label")).first().getDouble(0);
    Dataset<Row> train = features(trainRaw, origin, dest, prior).repartition(2).cache();
    Dataset<Row> test = features(split[1], origin, dest, prior).cache();
    BenchData.Shape shape = BenchData.shape(train);
    long testRows = test.count();
    trainRaw.unpersist();
    ctx.log("== flights: train %s; test %,d rows", shape.describe(), testRows);
    store.put(key + "shape", shape.describe());
    store.put(key + "testRows", testRows);
    store.put(key + "repeats", repeats);

    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setMetricName("areaUnderROC");
    new io.sparkgpu.ml.classification.LogisticRegression().setMaxIter(2).fit(train); // warm-up
    new org.apache.spark.ml.classification.LogisticRegression().setMaxIter(2).fit(train);
    double[] ours = new double[repeats];
    double[] mllib = new double[repeats];
    double oursAuc = Double.NaN;
    double mllibAuc = Double.NaN;
    int oursEpochs = 0;
    int mllibIters = 0;
    for (int r = 0; r < repeats; r++) {
      System.gc();
      long t0 = System.nanoTime();
      io.sparkgpu.ml.classification.LogisticRegressionModel m =
          new io.sparkgpu.ml.classification.LogisticRegression().fit(train);
      ours[r] = (System.nanoTime() - t0) / 1e9;
      oursAuc = auc.evaluate(m.transform(test));
      oursEpochs = m.summary().totalIterations();
      System.gc();
      t0 = System.nanoTime();
      org.apache.spark.ml.classification.LogisticRegressionModel ml =
          new org.apache.spark.ml.classification.LogisticRegression().fit(train);
      mllib[r] = (System.nanoTime() - t0) / 1e9;
      mllibAuc = auc.evaluate(ml.transform(test));
      mllibIters = ml.summary().totalIterations();
      ctx.log("  flights fit %d/%d: ours %.2f s (%d epochs) AUC %.4f; MLlib %.2f s (%d iterations) AUC %.4f",
          r + 1, repeats, ours[r], oursEpochs, oursAuc, mllib[r], mllibIters, mllibAuc);
    }
    store.put(key + "ours.fitSeconds", Fits.median(ours));
    store.put(key + "ours.fitSecondsAll", Fits.list(ours));
    store.put(key + "ours.auc", oursAuc);
    store.put(key + "ours.epochs", oursEpochs);
    store.put(key + "mllib.fitSeconds", Fits.median(mllib));
    store.put(key + "mllib.fitSecondsAll", Fits.list(mllib));
    store.put(key + "mllib.auc", mllibAuc);
    store.put(key + "mllib.iterations", mllibIters);
    store.save();
    train.unpersist();
    test.unpersist();
  }

  private static Dataset<Row> features(Dataset<Row> df, Dataset<Row> origin, Dataset<Row> dest, double prior) {
    Dataset<Row> joined = df.join(functions.broadcast(origin), "origin", "left")
        .join(functions.broadcast(dest), "destination", "left");
    List<Column> cols = new ArrayList<>();
    for (int h = 0; h < 24; h++) {
      cols.add(functions.when(functions.col("hour").equalTo(h), 1.0).otherwise(0.0));
    }
    for (int d = 1; d <= 7; d++) {
      cols.add(functions.when(functions.col("dow").equalTo(d), 1.0).otherwise(0.0));
    }
    for (int m = 1; m <= 7; m++) {
      cols.add(functions.when(functions.col("month").equalTo(m), 1.0).otherwise(0.0));
    }
    cols.add(functions.col("distance").cast("double").divide(1000.0));
    cols.add(functions.log1p(functions.col("distance").cast("double")));
    cols.add(functions.coalesce(functions.col("origin_rate"), functions.lit(prior)));
    cols.add(functions.coalesce(functions.col("dest_rate"), functions.lit(prior)));
    cols.add(functions.coalesce(functions.col("origin_logn"), functions.lit(0.0)));
    cols.add(functions.coalesce(functions.col("dest_logn"), functions.lit(0.0)));
    return joined.select(functions.col("label"), org.apache.spark.ml.functions.array_to_vector(
        functions.array(cols.toArray(new Column[0]))).as("features"));
  }
}
