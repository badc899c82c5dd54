package io.sparkgpu.bench;

import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.arrow.BatchingOptions;
import io.sparkgpu.arrow.DatasetBatcher;
import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.train.TrainerCounters;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * P2 (epoch throughput against a streaming bound), P4 (ingest against a no-op pass) and P5 (scaling with rows and
 * partitions), all of our trainer alone.
 */
final class Throughput {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private final BenchmarkRunner.Context ctx;

  Throughput(BenchmarkRunner.Context ctx) {
    this.ctx = ctx;
  }

  /** A fit of ours with a fixed number of epochs (tol 0) on {@code workers} partitions. */
  private static LogisticRegressionModel fixedEpochs(Dataset<Row> df, int epochs, int workers, long rows) {
    System.gc();
    return new LogisticRegression().setRegParam(1.0 / rows).setStandardization(false).setMaxIter(epochs).setTol(0)
        .setNumWorkers(workers).fit(df);
  }

  /** Epochs of each warm-up fit of P2 and P5: enough Spark jobs per fit for the scheduler's code to get hot. */
  static final int WARMUP_EPOCHS = 100;
  /** At most this many warm-up fits. */
  static final int MAX_WARMUP_FITS = 6;
  /** The warm-up ends after a fit whose JIT compile time is at most this share of its wall time. */
  static final double QUIET_COMPILE_SHARE = 0.15;
  /** Epochs of P2's and P5's timed fits; their steady epoch is the median of epochs 2..TIMED_EPOCHS. */
  static final int TIMED_EPOCHS = 20;

  /** Timed fits per measurement of P2 and per size of P5; the figures are their medians. */
  static final int TIMED_FITS = 3;

  /** Warm-up epochs of P2's same-bytes measurement ({@link #sameBytes}), for the JIT. */
  static final int SAME_BYTES_WARMUP = 30;
  /** Timed pairs (an epoch, then a pass over its arrays) of that measurement; the figures are their medians. */
  static final int SAME_BYTES_PAIRS = 15;

  /**
   * One timed fit of {@link #TIMED_EPOCHS} epochs: its steady epoch (median of epochs 2..20, driver-timed: the Spark
   * job, both partitions training concurrently), the trainer's in-task seconds per epoch, the JIT's compile seconds
   * and the busiest threads meanwhile, the fit's wall seconds and its epochs.
   */
  private record TimedFit(double steadyEpoch, double inTask, double compileSeconds, String threads, double seconds,
      double[] epochs) {
    static TimedFit of(Dataset<Row> df, int workers, long rows) {
      InTaskClock clock = new InTaskClock();
      double c0 = JitWarmup.compileSeconds();
      ThreadCpuSnapshot cpu0 = ThreadCpuSnapshot.take();
      long t0 = System.nanoTime();
      LogisticRegressionModel m = fixedEpochs(df, TIMED_EPOCHS, workers, rows);
      double seconds = (System.nanoTime() - t0) / 1e9;
      String threads = ThreadCpuSnapshot.take().busiestSince(cpu0, 5);
      double compile = JitWarmup.compileSeconds() - c0;
      // The trainer's own seconds per epoch: per partition epoch x partitions / concurrent tasks (2 cores).
      double inTask = clock.secondsPerPartitionEpoch() * workers / Math.min(workers, 2);
      double[] epochs = m.summary().epochSeconds();
      return new TimedFit(Fits.steadyEpochSeconds(epochs), inTask, compile, threads, seconds, epochs);
    }
  }

  /** Median of {@code field} over {@code fits}. */
  private static double median(List<TimedFit> fits, java.util.function.ToDoubleFunction<TimedFit> field) {
    return Fits.median(fits.stream().mapToDouble(field).toArray());
  }

  /** The fit whose steady epoch is the median one (the upper of the two middle ones for an even count). */
  private static TimedFit medianFit(List<TimedFit> fits) {
    return fits.stream().sorted(java.util.Comparator.comparingDouble(TimedFit::steadyEpoch)).toList()
        .get(fits.size() / 2);
  }

  /** {@code field} of each fit, space-separated, in run order. */
  private static String each(List<TimedFit> fits, java.util.function.ToDoubleFunction<TimedFit> field, int digits) {
    return Fits.list(fits.stream().mapToDouble(field).toArray(), digits);
  }

  /**
   * P2: the steady epoch (median over {@link #TIMED_FITS} fits of each fit's median of epochs 2..20, driver-timed)
   * against two threads summing as many float32 bytes with the Vector API in this JVM, measured after each fit, after
   * warm-up fits on the same data until the JIT compilers go quiet ({@link JitWarmup}).
   */
  void streamingBound(BenchData.Named data) {
    String key = "p2." + data.key() + ".";
    ResultStore store = ctx.store();
    store.clear(key);
    ctx.stamp(key);
    long bytes = data.shape().featureBytes();
    long rows = data.shape().rows();
    JitWarmup.Outcome warmup = JitWarmup.untilQuiet(() -> fixedEpochs(data.df(), WARMUP_EPOCHS, 2, rows),
        MAX_WARMUP_FITS, QUIET_COMPILE_SHARE);
    List<TimedFit> fits = new java.util.ArrayList<>();
    double[] bounds = new double[TIMED_FITS];
    for (int r = 0; r < TIMED_FITS; r++) {
      TimedFit f = TimedFit.of(data.df(), 2, rows);
      fits.add(f);
      bounds[r] = streamSeconds(bytes);
      ctx.log("  P2 %s fit %d/%d: epoch %.3f s (in-task trainer %.3f s), streaming bound %.4f s; %.2f s compiling; "
          + "threads' CPU: %s", data.key(), r + 1, TIMED_FITS, f.steadyEpoch(), f.inTask(), bounds[r],
          f.compileSeconds(), f.threads());
    }
    double epoch = median(fits, TimedFit::steadyEpoch);
    double inTask = median(fits, TimedFit::inTask);
    double bound = Fits.median(bounds);
    ctx.log("  P2 %s: epoch %.3f s = %.2f GB/s (in-task trainer %.3f s = %.2f GB/s); streaming bound %.4f s = "
        + "%.2f GB/s; medians of %d fits after %s", data.key(), epoch, bytes / epoch / 1e9, inTask,
        bytes / inTask / 1e9, bound, bytes / bound / 1e9, TIMED_FITS, warmup.describe());
    TimedFit mid = medianFit(fits);
    store.put(key + "timedFitThreadCpu", mid.threads());
    store.put(key + "warmupFits", warmup.runs());
    store.put(key + "warmupLastCompileShare", warmup.lastCompileShare());
    store.put(key + "timedFitCompileSeconds", median(fits, TimedFit::compileSeconds));
    store.put(key + "fitEpochSeconds", each(fits, TimedFit::steadyEpoch, 3));
    store.put(key + "fitBoundSeconds", Fits.list(bounds, 4));
    store.put(key + "inTaskSeconds", inTask);
    store.put(key + "inTaskGBps", bytes / inTask / 1e9);
    store.put(key + "title", data.title());
    store.put(key + "shape", data.shape().describe());
    store.put(key + "featureBytes", bytes);
    store.put(key + "epochSeconds", epoch);
    store.put(key + "epochSecondsAll", Fits.list(mid.epochs()));
    store.put(key + "epochGBps", bytes / epoch / 1e9);
    store.put(key + "boundSeconds", bound);
    store.put(key + "boundGBps", bytes / bound / 1e9);
    store.put(key + "species", SPECIES.toString());
    store.save();
    sameBytes(data.key(), (int) rows);
  }

  /**
   * P2 over the same bytes: the trainer without Spark ({@link ResidentTrainers}: the same shape, rows x 100 dense,
   * two partitions on two threads), each epoch followed by the streaming pass over the very arrays it read, so that
   * both see the same memory in the same state of the machine. Medians of {@link #SAME_BYTES_PAIRS} pairs after
   * {@link #SAME_BYTES_WARMUP} epochs.
   */
  private void sameBytes(String dataKey, int rows) {
    String key = "p2." + dataKey + ".";
    ResultStore store = ctx.store();
    double[] epochs = new double[SAME_BYTES_PAIRS];
    double[] trainer = new double[SAME_BYTES_PAIRS];
    double[] sums = new double[SAME_BYTES_PAIRS];
    long bytes;
    try (ResidentTrainers t = new ResidentTrainers(rows, 2, 100, Loss.LOGISTIC,
        SAME_BYTES_WARMUP + SAME_BYTES_PAIRS)) {
      bytes = t.featureBytes();
      for (int e = 0; e < SAME_BYTES_WARMUP; e++) {
        t.epoch();
        t.sameBytesSumSeconds();
      }
      for (int e = 0; e < SAME_BYTES_PAIRS; e++) {
        ResidentTrainers.Epoch ep = t.epoch();
        epochs[e] = ep.wallSeconds();
        trainer[e] = ep.slowestTrainerSeconds();
        sums[e] = t.sameBytesSumSeconds();
      }
    }
    double epoch = Fits.median(epochs);
    double bound = Fits.median(sums);
    ctx.log("  P2 %s over the same bytes: trainer epoch %.4f s = %.2f GB/s (slowest trainer %.4f s), streaming pass "
        + "over its arrays %.4f s = %.2f GB/s: %.0f%%; medians of %d pairs", dataKey, epoch, bytes / epoch / 1e9,
        Fits.median(trainer), bound, bytes / bound / 1e9, 100 * bound / epoch, SAME_BYTES_PAIRS);
    store.put(key + "sameBytesEpochSeconds", epoch);
    store.put(key + "sameBytesEpochSecondsAll", Fits.list(epochs, 4));
    store.put(key + "sameBytesTrainerSeconds", Fits.median(trainer));
    store.put(key + "sameBytesBoundSeconds", bound);
    store.put(key + "sameBytesBoundSecondsAll", Fits.list(sums, 4));
    store.put(key + "sameBytesFraction", bound / epoch);
    store.save();
  }

  /** Median seconds of 7 passes of two threads each summing half of {@code bytes} as float32 (after 2 warm-ups). */
  static double streamSeconds(long bytes) {
    int threads = 2;
    int n = (int) Math.min(Integer.MAX_VALUE - 64L, bytes / 4 / threads);
    float[][] arrays = new float[threads][n];
    for (float[] a : arrays) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (i & 1023) * 1e-3f;
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double[] times = new double[7];
      for (int rep = -2; rep < times.length; rep++) {
        long t0 = System.nanoTime();
        List<Future<Float>> futures = new java.util.ArrayList<>();
        for (float[] a : arrays) {
          futures.add(pool.submit(() -> sum(a)));
        }
        for (Future<Float> f : futures) {
          f.get(); // the sum is the task's result, published through its Future: it cannot be optimised away
        }
        if (rep >= 0) {
          times[rep] = (System.nanoTime() - t0) / 1e9;
        }
      }
      return Fits.median(times) * ((double) bytes / (4.0 * threads * n));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  static float sum(float[] a) {
    return sum(a, 0, a.length);
  }

  /** The sum of {@code a[from, to)}, four vectors per step. */
  static float sum(float[] a, int from, int to) {
    int step = SPECIES.length();
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    FloatVector s2 = FloatVector.zero(SPECIES);
    FloatVector s3 = FloatVector.zero(SPECIES);
    int i = from;
    for (int bound = to - 4 * step; i <= bound; i += 4 * step) {
      s0 = s0.add(FloatVector.fromArray(SPECIES, a, i));
      s1 = s1.add(FloatVector.fromArray(SPECIES, a, i + step));
      s2 = s2.add(FloatVector.fromArray(SPECIES, a, i + 2 * step));
      s3 = s3.add(FloatVector.fromArray(SPECIES, a, i + 3 * step));
    }
    float s = s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    for (; i < to; i++) {
      s += a[i];
    }
    return s;
  }

  /**
   * The trainer's own seconds per partition epoch since construction, from {@link TrainerCounters} (in local mode the
   * executors are this JVM): from receiving the parameters to returning the update, without the Spark job.
   */
  private static final class InTaskClock {
    private final TrainerCounters counters = TrainerCounters.global();
    private final double seconds = counters.partitionEpochSeconds();
    private final long epochs = counters.partitionEpochs();

    double secondsPerPartitionEpoch() {
      return (counters.partitionEpochSeconds() - seconds) / Math.max(1, counters.partitionEpochs() - epochs);
    }
  }

  /**
   * P4: DataFrame (cached) to cached Arrow batches with statistics, as a fit does it, against a pass over the same
   * selected columns that only counts the rows. Medians of {@link #INGEST_REPEATS} after a warm-up until the JIT
   * compilers go quiet.
   */
  void ingest(BenchData.Named data) {
    String key = "p4." + data.key() + ".";
    ResultStore store = ctx.store();
    store.clear(key);
    ctx.stamp(key);
    IngestTimes times = ingestSeconds(data, INGEST_REPEATS);
    double[] batch = times.seconds()[0];
    double[] noop = times.seconds()[1];
    double[] noopPlanned = times.seconds()[2];
    ctx.log("  P4 %s warm-up: %s%s", data.key(), times.warmup().describe("rounds"),
        notQuietNote(times.warmup().lastCompileShare()));
    store.put(key + "warmupRounds", times.warmup().runs());
    store.put(key + "warmupLastCompileShare", times.warmup().lastCompileShare());
    store.put(key + "batchCompileSeconds", Fits.median(times.compileSeconds()[0]));
    store.put(key + "noopCompileSeconds", Fits.median(times.compileSeconds()[1]));
    long rows = data.shape().rows();
    double b = Fits.median(batch);
    double n = Fits.median(noop);
    double np = Fits.median(noopPlanned);
    ctx.log("  P4 %s: batching %.2f s = %.0f rows/s; no-op pass %.2f s = %.0f rows/s; with its plan reused %.2f s",
        data.key(), b, rows / b, n, rows / n, np);
    store.put(key + "title", data.title());
    store.put(key + "shape", data.shape().describe());
    store.put(key + "rows", rows);
    store.put(key + "batchSeconds", b);
    store.put(key + "batchSecondsAll", Fits.list(batch));
    store.put(key + "noopSeconds", n);
    store.put(key + "noopSecondsAll", Fits.list(noop));
    store.put(key + "batchRowsPerSecond", rows / b);
    store.put(key + "noopRowsPerSecond", rows / n);
    store.put(key + "noopPlannedSeconds", np);
    store.put(key + "noopPlannedSecondsAll", Fits.list(noopPlanned));
    store.save();
  }

  /**
   * What the log and the report add to a P4 warm-up whose last round spent {@code lastCompileShare} of its wall time
   * compiling: nothing when the compilers went quiet, else that they did not (the warm-up reached its bound).
   */
  static String notQuietNote(double lastCompileShare) {
    return lastCompileShare <= QUIET_COMPILE_SHARE ? "" : " (the compilers did not go quiet)";
  }

  /** Timed runs of each P4 pass; the figures are their medians. */
  static final int INGEST_REPEATS = 5;
  /** At most this many P4 warm-up rounds (each a batching pass and both no-op passes, about half a second). */
  static final int MAX_INGEST_WARMUP_ROUNDS = 20;

  /**
   * P4's timings of one data set: {@code seconds} and {@code compileSeconds} (the JIT compilers' seconds during the
   * pass) of each timed run, in the order {batching, no-op, no-op with its plan reused}, and how the warm-up ended.
   */
  record IngestTimes(double[][] seconds, double[][] compileSeconds, JitWarmup.Outcome warmup) {}

  /**
   * P4's timings, {@code repeats} times after warm-up rounds of all three passes that last until the JIT compilers go
   * quiet (as P5's warm-up, at most {@link #MAX_INGEST_WARMUP_ROUNDS}): {@link DatasetBatcher#batch} of {@code data}
   * into 2 partitions; the no-op pass, which selects the same columns afresh (as batching does, so both pay Spark's
   * analysis, optimisation and planning) and drains their {@code toRdd} without touching the values; and the same
   * drain of one selection planned before the loop (no planning per run; the definition of the figures before
   * 2026-11-24's third pass). Each batching pass plans a new query, whose driver-side code C2 keeps compiling for
   * dozens of passes; on two cores a compiler thread takes a core from a task.
   */
  static IngestTimes ingestSeconds(BenchData.Named data, int repeats) {
    Dataset<Row> planned = select(data);
    List<Runnable> passes = List.of(() -> batchPass(data), () -> drainPass(select(data)), () -> drainPass(planned));
    JitWarmup.Outcome warmup = JitWarmup.untilQuiet(() -> passes.forEach(Runnable::run), MAX_INGEST_WARMUP_ROUNDS,
        QUIET_COMPILE_SHARE);
    double[][] seconds = new double[passes.size()][repeats];
    double[][] compile = new double[passes.size()][repeats];
    for (int r = 0; r < repeats; r++) {
      for (int k = 0; k < passes.size(); k++) {
        double[] timedPass = timed(passes.get(k));
        seconds[k][r] = timedPass[0];
        compile[k][r] = timedPass[1];
      }
    }
    return new IngestTimes(seconds, compile, warmup);
  }

  /**
   * {wall seconds, JIT compilers' seconds} of {@code pass}, both from after a full GC (compilations during the GC
   * are not counted).
   */
  private static double[] timed(Runnable pass) {
    System.gc();
    double c0 = JitWarmup.compileSeconds();
    long t0 = System.nanoTime();
    pass.run();
    return new double[] {(System.nanoTime() - t0) / 1e9, JitWarmup.compileSeconds() - c0};
  }

  /** P4's batching pass: {@code data} batched into 2 partitions, checked to hold every row, then closed. */
  static void batchPass(BenchData.Named data) {
    try (BatchedDataset b = DatasetBatcher.batch(data.df(), FeatureColumns.single("features"), "label", null,
        LabelKind.CLASS_INDEX, BatchingOptions.DEFAULT_MAX_BATCH_BYTES, 2)) {
      if (b.statistics().rows() != data.shape().rows()) {
        throw new IllegalStateException("Batched " + b.statistics().rows() + " rows of " + data.shape().rows());
      }
    }
  }

  /** P4's no-op pass: the selection's {@code toRdd} drained without touching the values. */
  static void drainPass(Dataset<Row> selection) {
    selection.queryExecution().toRdd().toJavaRDD().foreachPartition(it -> BenchData.drain(it));
  }

  /** The columns batching reads, as a new selection (a new query to analyse and plan). */
  static Dataset<Row> select(BenchData.Named data) {
    return data.df().select(functions.col("features"), functions.col("label"), functions.lit(1.0).as("weight"));
  }

  /**
   * P5: steady epoch seconds of synthetic dense data at each size on 2 partitions, and at 4M rows on 1 partition, each
   * beside the streaming bound of its bytes, after warm-up fits on 1M rows until the JIT compilers go quiet. The sizes
   * are measured in {@link #TIMED_FITS} rounds (every size once per round, so that the machine's drift falls on all
   * of them alike); each figure is the median over the rounds. The data is generated by Spark SQL during the fit's
   * single pass (not cached first).
   */
  void scaling(List<Long> sizes) {
    String key = "p5.";
    ResultStore store = ctx.store();
    store.clear(key);
    ctx.stamp(key);
    JitWarmup.Outcome warmup = JitWarmup.untilQuiet(() -> fixedEpochs(BenchData.logisticDense(ctx.spark(),
        1_000_000, 100, 42, 2), WARMUP_EPOCHS, 2, 1_000_000), MAX_WARMUP_FITS, QUIET_COMPILE_SHARE);
    ctx.log("  P5 warm-up on 1M rows: %s", warmup.describe());
    store.put(key + "warmupFits", warmup.runs());
    store.put(key + "warmupLastCompileShare", warmup.lastCompileShare());
    List<long[]> cases = new java.util.ArrayList<>();
    for (long n : sizes) {
      cases.add(new long[] {n, 2});
    }
    cases.add(new long[] {4_000_000L, 1});
    java.util.Map<String, List<TimedFit>> fits = new java.util.LinkedHashMap<>();
    java.util.Map<String, double[]> bounds = new java.util.HashMap<>();
    for (int r = 0; r < TIMED_FITS; r++) {
      for (long[] c : cases) {
        String k = BenchData.millions(c[0]) + "x" + c[1];
        TimedFit f = TimedFit.of(BenchData.logisticDense(ctx.spark(), c[0], 100, 42, 2), (int) c[1], c[0]);
        double bound = streamSeconds(4L * c[0] * 100);
        fits.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(f);
        bounds.computeIfAbsent(k, x -> new double[TIMED_FITS])[r] = bound;
        ctx.log("  P5 round %d/%d, %s rows on %d partition(s): fit %.1f s, steady epoch %.3f s (%s); streaming bound "
            + "%.4f s; %.2f s compiling; threads' CPU: %s", r + 1, TIMED_FITS, BenchData.millions(c[0]), c[1],
            f.seconds(), f.steadyEpoch(), Fits.list(f.epochs()), bound, f.compileSeconds(), f.threads());
      }
    }
    for (long[] c : cases) {
      String k = BenchData.millions(c[0]) + "x" + c[1];
      store(k, c[0], (int) c[1], fits.get(k), Fits.median(bounds.get(k)));
    }
  }

  private void store(String k, long n, int workers, List<TimedFit> fits, double bound) {
    String key = "p5." + k + ".";
    TimedFit mid = medianFit(fits);
    double steady = median(fits, TimedFit::steadyEpoch);
    double fit = median(fits, TimedFit::seconds);
    ResultStore store = ctx.store();
    store.put(key + "rows", n);
    store.put(key + "workers", workers);
    store.put(key + "fitSeconds", fit);
    store.put(key + "ingestSeconds", median(fits, f -> f.seconds() - java.util.Arrays.stream(f.epochs()).sum()));
    store.put(key + "firstEpochSeconds", median(fits, f -> f.epochs()[0]));
    store.put(key + "steadyEpochSeconds", steady);
    store.put(key + "fitEpochSeconds", each(fits, TimedFit::steadyEpoch, 3));
    store.put(key + "epochSecondsAll", Fits.list(mid.epochs()));
    store.put(key + "epochGBps", 4.0 * n * 100 / steady / 1e9);
    store.put(key + "inTaskEpochSeconds", median(fits, TimedFit::inTask));
    store.put(key + "boundSeconds", bound);
    store.put(key + "timedFitCompileSeconds", median(fits, TimedFit::compileSeconds));
    store.put(key + "timedFitThreadCpu", mid.threads());
    ctx.log("  P5 %s rows on %d partition(s): steady epoch %.3f s (fits: %s), streaming bound %.4f s, medians of %d "
        + "rounds", BenchData.millions(n), workers, steady, each(fits, TimedFit::steadyEpoch, 3), bound, fits.size());
    store.save();
  }
}
