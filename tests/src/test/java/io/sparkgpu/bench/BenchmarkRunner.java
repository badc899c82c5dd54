package io.sparkgpu.bench;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the benchmarks of issues 2 and 6 in one local[2] Spark session and renders BENCHMARKS.md (with PNG plots in
 * docs/benchmarks/). Not a test: nothing here asserts a time. Run it with
 *
 * <pre>mvn -q -pl tests -am -DskipTests -Pbenchmark verify -Dbench=SECTIONS</pre>
 *
 * where SECTIONS is a comma-separated list of {@code issue2} (a9a and synthetic 1M x 100: fit times, objectives,
 * epoch throughput), {@code p1} (time to MLlib's objective + 0.5% on a9a, MNIST 0-vs-rest, synthetic 4M x 100),
 * {@code p2} (epoch throughput against a streaming bound), {@code p4} (ingest), {@code p5} (scaling),
 * {@code flights}, {@code gpu} (our fits with device=cuda beside device=cpu where a GPU is usable; "not run" with the
 * reason elsewhere), {@code report} (render only) or {@code all}. Figures of sections not run are kept from earlier
 * runs (docs/benchmarks/results.properties), each with the command, machine and commit that produced it.
 */
public final class BenchmarkRunner {
  static final List<String> SECTIONS = List.of("issue2", "p1", "p2", "p4", "p5", "flights", "gpu");

  /** What every section shares: the session, the result store, where plots go, and the stamp of this run. */
  static final class Context {
    private final SparkSession spark;
    private final ResultStore store;
    private final Path docs;
    private final String command;
    private final String machine;
    private final String date;
    private final String commit;

    Context(SparkSession spark, ResultStore store, Path docs, String command) {
      this.spark = spark;
      this.store = store;
      this.docs = docs;
      this.command = command;
      this.machine = Machine.describe();
      this.date = ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE);
      this.commit = Machine.commit();
    }

    SparkSession spark() {
      return spark;
    }

    ResultStore store() {
      return store;
    }

    Path docs() {
      return docs;
    }

    /** Records under {@code prefix} the command, machine, date and commit that produce its figures. */
    void stamp(String prefix) {
      store.put(prefix + "command", command);
      store.put(prefix + "machine", machine);
      store.put(prefix + "date", date);
      store.put(prefix + "commit", commit);
    }

    void log(String format, Object... args) {
      System.out.println(String.format(Locale.ROOT, format, args));
      System.out.flush();
    }
  }

  private BenchmarkRunner() {}

  public static void main(String[] args) {
    String bench = System.getProperty("bench", "issue2");
    int repeats = Integer.getInteger("bench.repeats", 3);
    int repeatsLarge = Integer.getInteger("bench.repeatsLarge", 1);
    Set<String> sections = new LinkedHashSet<>();
    for (String s : bench.split(",")) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      if (t.equals("all")) {
        sections.addAll(SECTIONS);
      } else if (SECTIONS.contains(t) || t.equals("report")) {
        sections.add(t);
      } else if (!t.isEmpty()) {
        throw new IllegalArgumentException("Unknown benchmark section '" + t + "'; use one or more of "
            + SECTIONS + ", report or all (comma-separated)");
      }
    }
    Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    Path docs = root.resolve("docs/benchmarks");
    ResultStore store = new ResultStore(docs.resolve("results.properties"));
    String command = "mvn -q -pl tests -am -DskipTests -Pbenchmark verify -Dbench=" + bench
        + (repeats != 3 ? " -Dbench.repeats=" + repeats : "")
        + (repeatsLarge != 1 ? " -Dbench.repeatsLarge=" + repeatsLarge : "");
    sections.remove("report");
    if (!sections.isEmpty()) {
      SparkSession spark = SparkSession.builder().master("local[2]").appName("spark-gpu-benchmarks")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.adaptive.enabled", "false")
          .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
      try {
        Context ctx = new Context(spark, store, docs, command);
        ctx.log("spark-gpu benchmarks %s on %s", sections, ctx.machine);
        run(ctx, sections, repeats, repeatsLarge);
      } finally {
        spark.stop();
      }
    }
    for (String key : ReportWriter.PAIRS) {
      PairBenchmark.drawPlot(store, key, docs);
    }
    ReportWriter.write(store, root.resolve("BENCHMARKS.md"), docs.resolve("optimisations.md"));
    System.out.println("Wrote " + root.resolve("BENCHMARKS.md"));
  }

  private static void run(Context ctx, Set<String> sections, int repeats, int repeatsLarge) {
    SparkSession spark = ctx.spark();
    PairBenchmark pairs = new PairBenchmark(ctx);
    boolean p1 = sections.contains("p1");
    if (sections.contains("issue2") || p1) {
      BenchData.Named a9a = BenchData.a9a(spark);
      pairs.run(a9a, new Fits.Setting(1.0 / a9a.shape().rows(), false), repeats, p1);
      a9a.df().unpersist(true);
    }
    if (sections.contains("issue2") || sections.contains("p2")) {
      BenchData.Named s1 = BenchData.synthetic(spark, "synth1m", 1_000_000, 100);
      if (sections.contains("issue2")) {
        pairs.run(s1, new Fits.Setting(1.0 / s1.shape().rows(), true), repeats, false);
      }
      if (sections.contains("p2")) {
        new Throughput(ctx).streamingBound(s1);
      }
      if (sections.contains("p4")) {
        new Throughput(ctx).ingest(s1);
      }
      s1.df().unpersist(true);
    }
    if (p1 && BenchData.sharedPresent("mnist/train-images-idx3-ubyte.gz")) {
      BenchData.Named mnist = BenchData.mnistZeroVsRest(spark);
      pairs.run(mnist, new Fits.Setting(1.0 / mnist.shape().rows(), true), repeats, true);
      mnist.df().unpersist(true);
    } else if (p1) {
      ctx.log("MNIST not found under %s: skipped", BenchData.sharedDir());
    }
    if (p1) {
      BenchData.Named s4 = BenchData.synthetic(spark, "synth4m", 4_000_000, 100);
      pairs.run(s4, new Fits.Setting(1.0 / s4.shape().rows(), true), repeatsLarge, true);
      if (sections.contains("p2")) {
        new Throughput(ctx).streamingBound(s4);
      }
      s4.df().unpersist(true);
    }
    if (sections.contains("p4") && !sections.contains("issue2") && !sections.contains("p2")) {
      BenchData.Named s1 = BenchData.synthetic(spark, "synth1m", 1_000_000, 100);
      new Throughput(ctx).ingest(s1);
      s1.df().unpersist(true);
    }
    if (sections.contains("p4")) {
      BenchData.Named a9a = BenchData.a9a(spark);
      new Throughput(ctx).ingest(a9a);
      a9a.df().unpersist(true);
    }
    if (sections.contains("p5")) {
      new Throughput(ctx).scaling(Arrays.asList(1_000_000L, 2_000_000L, 4_000_000L, 8_000_000L));
    }
    if (sections.contains("flights")) {
      new FlightsBenchmark(ctx).run(repeatsLarge);
    }
    if (sections.contains("gpu")) {
      GpuBenchmark gpu = new GpuBenchmark(ctx);
      if (gpu.probe()) {
        BenchData.Named a9a = BenchData.a9a(spark);
        gpu.run(a9a, new Fits.Setting(1.0 / a9a.shape().rows(), false), repeats);
        a9a.df().unpersist(true);
        BenchData.Named s1 = BenchData.synthetic(spark, "synth1m", 1_000_000, 100);
        gpu.run(s1, new Fits.Setting(1.0 / s1.shape().rows(), true), repeats);
        s1.df().unpersist(true);
      }
    }
  }
}
