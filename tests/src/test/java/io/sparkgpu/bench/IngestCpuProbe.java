package io.sparkgpu.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * A profiling probe, not a benchmark: P4's two passes ({@link Throughput#batchPass} and the no-op
 * {@link Throughput#drainPass} of the columns selected afresh, as {@code Throughput.ingestSeconds} runs them) timed three ways per repeat: wall time, the
 * executor CPU time of their tasks (Spark's task metrics, summed) and the JVM's process CPU time (which adds GC, JIT
 * and driver threads). CPU time moves far less than wall time when other processes share the cores, so builds can
 * be compared by it. Arguments: repeats (5), data sets ("synth,a9a"), rows of the synthetic set (1000000).
 */
public final class IngestCpuProbe {
  private IngestCpuProbe() {}

  private static final AtomicLong TASK_CPU_NS = new AtomicLong();
  /** Wall-clock ms of the first job start and the last job end since the last reset (Long.MAX_VALUE / 0: none). */
  private static final AtomicLong FIRST_JOB_START = new AtomicLong(Long.MAX_VALUE);
  private static final AtomicLong LAST_JOB_END = new AtomicLong();

  public static void main(String[] args) {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String sets = args.length > 1 ? args[1] : "synth,a9a";
    long rows = args.length > 2 ? Long.parseLong(args[2]) : 1_000_000L;
    SparkSession spark = BenchData.localSession("spark-gpu-ingest-cpu-probe");
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          TASK_CPU_NS.addAndGet(end.taskMetrics().executorCpuTime());
        }
      }

      @Override
      public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
        FIRST_JOB_START.accumulateAndGet(start.time(), Math::min);
      }

      @Override
      public void onJobEnd(org.apache.spark.scheduler.SparkListenerJobEnd end) {
        LAST_JOB_END.accumulateAndGet(end.time(), Math::max);
      }
    });
    try {
      if (sets.contains("synth")) {
        BenchData.Named s = BenchData.synthetic(spark, "synth", rows, 100);
        probe(spark, s, repeats);
        s.df().unpersist(true);
      }
      if (sets.contains("a9a")) {
        BenchData.Named a = BenchData.a9a(spark);
        probe(spark, a, repeats);
        a.df().unpersist(true);
      }
    } finally {
      spark.stop();
    }
  }

  /** CPU ticks per thread name (digits dropped, so pools add up), from /proc/self/task; empty off Linux. */
  private static java.util.Map<String, Long> threadTicks() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File t : tasks) {
      try {
        String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
        String[] f = stat.substring(close + 2).split(" ");
        out.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  private static final java.util.Map<String, Long> BATCH_TICKS = new java.util.TreeMap<>();
  private static final java.util.Map<String, Long> NOOP_TICKS = new java.util.TreeMap<>();
  private static java.util.Map<String, Long> ticksInto;

  private static long processCpuNs() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Waits until the listener has seen every finished task. */
  private static void settle(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {wall s, task CPU s, process CPU s, s before the first job starts, s from the first job's start to the last
   * one's end} of one run of {@code pass}.
   */
  private static double[] measure(SparkSession spark, Runnable pass) {
    System.gc();
    settle(spark);
    long task0 = TASK_CPU_NS.get();
    FIRST_JOB_START.set(Long.MAX_VALUE);
    LAST_JOB_END.set(0);
    long cpu0 = processCpuNs();
    java.util.Map<String, Long> ticks0 = threadTicks();
    long ms0 = System.currentTimeMillis();
    long t0 = System.nanoTime();
    pass.run();
    long wall = System.nanoTime() - t0;
    long cpu = processCpuNs() - cpu0;
    if (ticksInto != null) {
      threadTicks().forEach((k, v) -> ticksInto.merge(k, v - ticks0.getOrDefault(k, 0L), Long::sum));
    }
    settle(spark);
    return new double[] {wall / 1e9, (TASK_CPU_NS.get() - task0) / 1e9, cpu / 1e9,
        (FIRST_JOB_START.get() - ms0) / 1e3, (LAST_JOB_END.get() - FIRST_JOB_START.get()) / 1e3};
  }

  private static void probe(SparkSession spark, BenchData.Named data, int repeats) {
    double[][] batch = new double[5][repeats];
    double[][] noop = new double[5][repeats];
    for (int r = -1; r < repeats; r++) {
      ticksInto = r >= 0 ? BATCH_TICKS : null;
      double[] b = measure(spark, () -> Throughput.batchPass(data));
      ticksInto = r >= 0 ? NOOP_TICKS : null;
      double[] n = measure(spark, () -> Throughput.drainPass(Throughput.select(data)));
      if (r >= 0) {
        for (int k = 0; k < 5; k++) {
          batch[k][r] = b[k];
          noop[k][r] = n[k];
        }
      }
    }
    if (Boolean.getBoolean("probe.threads")) {
      System.out.println("CPUPROBE " + data.key() + " thread ticks (1/100 s, all repeats) batching " + BATCH_TICKS
          + "; no-op " + NOOP_TICKS);
    }
    BATCH_TICKS.clear();
    NOOP_TICKS.clear();
    String[] what = {"wall", "task cpu", "process cpu", "before jobs", "jobs"};
    for (int k = 0; k < 5; k++) {
      System.out.printf(Locale.ROOT, "CPUPROBE %s %s: batching median %.3f s %s; no-op median %.3f s %s%n",
          data.key(), what[k], Fits.median(batch[k]), Arrays.toString(Fits.roundedToMillis(batch[k])), Fits.median(noop[k]),
          Arrays.toString(Fits.roundedToMillis(noop[k])));
    }
  }
}
