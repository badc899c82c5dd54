package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.plugin.ExecutorDeviceReport;
import io.sparkgpu.plugin.PluginMetrics;
import io.sparkgpu.plugin.SparkGpuDriverPlugin;
import io.sparkgpu.plugin.SparkGpuPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * spark-gpu on a real multi-process standalone cluster on 127.0.0.1: a Master and two Workers (one fake GPU each,
 * found by conf/getGpusResources.sh), each executor a separate JVM started from Spark's jars with spark-gpu shipped
 * as the shaded jar ({@code spark.jars}) and the plugin enabled. This JVM is the driver. Checks, in order: the
 * executors' plugins start with their GPU and report it; a fit equals the same fit in local mode; an executor killed
 * mid-fit does not change the model; every executor still alive shuts its plugin down cleanly. One cluster for the
 * class, started and reaped here within bounded time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StandaloneClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneClusterIT.class);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String PLUGIN_METRICS = "plugin." + SparkGpuPlugin.class.getName() + ".";
  private static final int EPOCHS = 6;
  private static final int WORKERS = 4;
  /** Written by each executor in its directory (log4j2-executor.properties). */
  private static final String EXECUTOR_LOG = "spark-gpu-executor.log";

  private static Path dir;
  private static Path metricsDir;
  private static StandaloneCluster cluster;
  private static SparkSession spark;
  private static LogisticRegressionModel localModel;
  private static String victim;

  /** The fit compared across local mode, the cluster and the cluster with a lost executor. */
  private static LogisticRegressionModel fit(SparkSession session) {
    Dataset<Row> a9a = TestData.libsvm(session, TestData.bundled("a9a.gz").toAbsolutePath(), 123, true);
    return new LogisticRegression().setNumWorkers(WORKERS).setMaxIter(EPOCHS).setTol(0).setRegParam(1e-4)
        .setSeed(11L).fit(a9a);
  }

  private static SparkSession.Builder common(SparkSession.Builder b) {
    return b.config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4");
  }

  @BeforeAll
  static void startClusterAndFitLocally() throws Exception {
    dir = SparkInstall.workDir("standalone");
    metricsDir = Files.createDirectories(dir.resolve("metrics"));
    cluster = StandaloneCluster.start(dir, 2);
    try {
      // The local-mode reference, while the cluster's JVMs start.
      SparkSession local = common(SparkSession.builder().master("local[2]").appName("local reference"))
          .getOrCreate();
      try {
        localModel = fit(local);
      } finally {
        local.stop();
      }
      cluster.awaitReady();
      spark = common(SparkSession.builder().master(cluster.masterUrl()).appName("StandaloneClusterIT"))
          .config("spark.jars", SparkInstall.distJar().toString())
          .config("spark.plugins", SparkGpuPlugin.class.getName())
          .config("spark.executor.cores", "2")
          .config("spark.cores.max", "4")
          .config("spark.executor.memory", "1g")
          .config("spark.executor.resource.gpu.amount", "1")
          .config("spark.task.resource.gpu.amount", "0.5")
          .config("spark.executor.extraJavaOptions",
              "-Dlog4j2.configurationFile=" + SparkInstall.executorLog4jConfig())
          .config("spark.metrics.conf.executor.sink.csv.class", "org.apache.spark.metrics.sink.CsvSink")
          .config("spark.metrics.conf.executor.sink.csv.period", "1")
          .config("spark.metrics.conf.executor.sink.csv.unit", "seconds")
          .config("spark.metrics.conf.executor.sink.csv.directory", metricsDir.toString())
          .getOrCreate();
      await(() -> spark.sparkContext().statusTracker().getExecutorInfos().length == 3, "two executors");
    } catch (Throwable t) {
      t.addSuppressed(new AssertionError("cluster logs:\n" + cluster.tails()));
      tearDown();
      throw t;
    }
  }

  @AfterAll
  static void tearDown() {
    try {
      if (spark != null) {
        spark.stop();
        spark = null;
      }
    } finally {
      if (cluster != null) {
        cluster.close();
        cluster = null;
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    await(condition, () -> what);
  }

  /** Polls {@code condition} for at most {@link #WAIT}; {@code what} is asked for after a timeout. */
  private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("No " + what.get() + " within " + WAIT.toSeconds() + " s\n" + cluster.tails());
      }
      Thread.sleep(200);
    }
  }

  private static void assertSameModel(LogisticRegressionModel expected, LogisticRegressionModel actual, String what) {
    // The same partitions, seeds and averaging order: float32 arithmetic gives the same parameters.
    assertArrayEquals(expected.coefficients().toArray(), actual.coefficients().toArray(), 1e-6,
        what + ": coefficients vs local mode");
    assertEquals(expected.intercept(), actual.intercept(), 1e-6, what + ": intercept vs local mode");
  }

  @Test
  @Order(1)
  void eachExecutorStartsThePluginWithItsGpuAndReportsItToTheDriver() throws Exception {
    await(() -> SparkGpuDriverPlugin.executorDevices().size() == 2, "device reports from two executors");
    Map<String, ExecutorDeviceReport> reports = SparkGpuDriverPlugin.executorDevices();
    Set<String> gpus = new TreeSet<>();
    for (ExecutorDeviceReport r : reports.values()) {
      gpus.add(r.gpuAddress());
      assertEquals("cpu", r.backend(), r.describe());
      assertEquals("127.0.0.1", r.host(), r.describe());
      // No machine here has a GPU: the CUDA initializer refuses with the probe's reason and the executor falls back.
      assertTrue(r.note().contains("GPU " + r.gpuAddress() + " assigned but cuda: ") && r.note().contains("libcuda"),
          r.describe());
    }
    assertEquals(Set.of("0", "1"), gpus, "each Worker's fake GPU, discovered by conf/getGpusResources.sh");
    for (Path log : cluster.executorFiles(spark.sparkContext().applicationId(), EXECUTOR_LOG).values()) {
      String text = Files.readString(log);
      assertTrue(text.contains("spark-gpu executor plugin started: executor "), log + ":\n" + text);
      assertFalse(text.contains("could not start"), log + ":\n" + text);
    }
  }

  /** Job descriptions of the fit's epochs, in order. */
  private static final class JobNames extends SparkListener {
    final List<String> names = new CopyOnWriteArrayList<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
      if (d != null && d.startsWith("LogisticRegression epoch")) {
        names.add(d);
      }
    }
  }

  /** Last value of each executor's CSV for {@code metric}, by executor id. */
  private static Map<String, Double> csvMetric(String metric) throws IOException {
    Pattern file = Pattern.compile("^.*\\.([^.]+)\\." + Pattern.quote(PLUGIN_METRICS + metric) + "\\.csv$");
    Map<String, Double> values = new TreeMap<>();
    try (var files = Files.list(metricsDir)) {
      for (Path p : files.toList()) {
        Matcher m = file.matcher(p.getFileName().toString());
        if (m.matches()) {
          List<String> lines = Files.readAllLines(p);
          String last = lines.get(lines.size() - 1);
          if (!last.startsWith("t,")) {
            values.put(m.group(1), Double.parseDouble(last.substring(last.indexOf(',') + 1)));
          }
        }
      }
    }
    return values;
  }

  private static double sum(Map<String, Double> values) {
    return values.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  @Test
  @Order(2)
  void aFitOnTheClusterGivesTheLocalModelAndItsWorkShowsInTheExecutorMetrics() throws Exception {
    JobNames jobs = new JobNames();
    spark.sparkContext().addSparkListener(jobs);
    LogisticRegressionModel clusterModel;
    try {
      clusterModel = fit(spark);
    } finally {
      spark.sparkContext().removeSparkListener(jobs);
    }
    assertSameModel(localModel, clusterModel, "cluster");

    // One job per epoch, named for the Spark UI with the loss of the epoch before.
    assertEquals(EPOCHS, jobs.names.size(), "epoch jobs: " + jobs.names);
    assertEquals("LogisticRegression epoch 1/" + EPOCHS, jobs.names.get(0));
    for (int e = 2; e <= EPOCHS; e++) {
      assertTrue(jobs.names.get(e - 1).matches("LogisticRegression epoch " + e + "/" + EPOCHS + ", loss 0\\.\\d{4}"),
          jobs.names.get(e - 1));
    }

    // Every mini-batch step of the fit ran on an executor: 4 partitions of ~8140 rows make 8 batches of 1024 per
    // pass, repeated to minStepsPerEpoch = 64 steps, in each epoch.
    double expectedBatches = WORKERS * EPOCHS * 64;
    await(() -> {
      try {
        return sum(csvMetric("executor.batchesTrained")) == expectedBatches
            && sum(csvMetric("executor.partitionEpochsTrained")) == WORKERS * EPOCHS
            && sum(csvMetric("executor.residentPartitions")) == 0;
      } catch (IOException e) {
        return false;
      }
    }, "executor metrics adding up to " + expectedBatches + " batches and " + WORKERS * EPOCHS
        + " partition epochs, nothing resident after the fit");
    Map<String, Double> uploaded = csvMetric("executor.bytesUploaded");
    assertEquals(2, uploaded.size(), "bytesUploaded of each executor: " + uploaded);
    // At least a 4-byte value and a 4-byte column index per non-zero of a9a, and a label and a weight per row.
    assertTrue(sum(uploaded) >= 8.0 * 451_592 + 8.0 * 32_561, "bytes uploaded: " + uploaded);
    Map<String, Double> gpuAssigned = csvMetric("executor.gpuAssigned");
    assertEquals(Set.of(1.0), Set.copyOf(gpuAssigned.values()), "every executor has a GPU: " + gpuAssigned);
  }

  /** Kills {@code victim}'s JVM when it starts a task of epoch 3 or later. */
  private static final class ExecutorKiller extends SparkListener {
    final Set<Integer> laterEpochStages = ConcurrentHashMap.newKeySet();
    final AtomicReference<String> killedAt = new AtomicReference<>();
    final List<String> failedTasks = new CopyOnWriteArrayList<>();
    final List<String> jobsAfterKill = new CopyOnWriteArrayList<>();
    final ProcessHandle process;

    ExecutorKiller(ProcessHandle process) {
      this.process = process;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
      if (d == null) {
        return;
      }
      if (killedAt.get() != null) {
        jobsAfterKill.add(d);
      }
      Matcher m = Pattern.compile("LogisticRegression epoch (\\d+)/").matcher(d);
      if (m.find() && Integer.parseInt(m.group(1)) >= 3) {
        for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(start.stageIds())) {
          laterEpochStages.add((Integer) id);
        }
      }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      if (laterEpochStages.contains(start.stageId()) && victim.equals(start.taskInfo().executorId())
          && killedAt.compareAndSet(null, "stage " + start.stageId() + " task " + start.taskInfo().index())) {
        process.destroyForcibly();
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (!(end.reason() instanceof Success$)) {
        failedTasks.add(end.taskInfo().executorId() + ": " + end.reason());
      }
    }
  }

  @Test
  @Order(3)
  void anExecutorKilledMidFitDoesNotChangeTheModel() throws Exception {
    List<String> ids = new ArrayList<>(SparkGpuDriverPlugin.executorDevices().keySet());
    Collections.sort(ids);
    victim = ids.get(0);
    ProcessHandle process = cluster.executorProcess(victim).orElseThrow(() -> new AssertionError(
        "no JVM of executor " + victim + " among the Workers' processes"));
    ExecutorKiller killer = new ExecutorKiller(process);
    spark.sparkContext().addSparkListener(killer);
    LogisticRegressionModel model;
    try {
      model = fit(spark);
    } finally {
      spark.sparkContext().removeSparkListener(killer);
    }
    assertNotNull(killer.killedAt.get(), "executor " + victim + " never started a task of epoch >= 3");
    assertFalse(process.onExit().orTimeout(30, TimeUnit.SECONDS).join().isAlive(), "executor " + victim);
    assertTrue(killer.jobsAfterKill.stream().anyMatch(d -> d.startsWith("LogisticRegression epoch")),
        "the kill came before the fit's last epoch; jobs after it: " + killer.jobsAfterKill);
    assertSameModel(localModel, model, "cluster after losing executor " + victim + " at " + killer.killedAt.get()
        + " (failed task attempts: " + killer.failedTasks + ")");
    LOG.info("Executor {} was killed at {} of a later epoch; failed task attempts: {}", victim,
        killer.killedAt.get(), killer.failedTasks);
    await(() -> SparkGpuDriverPlugin.removedExecutors().contains(victim), "removal of executor " + victim
        + " seen by the driver plugin");
    // The Worker relaunches an executor in the victim's place, on the GPU the victim freed.
    String victimGpu = SparkGpuDriverPlugin.executorDevices().get(victim).gpuAddress();
    await(() -> SparkGpuDriverPlugin.executorDevices().size() == 3, "a device report from the replacement of "
        + victim);
    Map<String, ExecutorDeviceReport> reports = new TreeMap<>(SparkGpuDriverPlugin.executorDevices());
    reports.keySet().removeAll(ids);
    assertEquals(1, reports.size(), "replacement executors: " + reports);
    String replacement = reports.keySet().iterator().next();
    assertEquals(victimGpu, reports.get(replacement).gpuAddress(), "the replacement's GPU");
    // Wait until the replacement runs tasks: Spark ignores a stop request that reaches an executor still being
    // constructed (the Worker then kills it without a shutdown), which is not what the next test is about.
    TaskPlaces places = new TaskPlaces();
    spark.sparkContext().addSparkListener(places);
    try {
      await(() -> {
        spark.range(0, 1000, 1, 8).selectExpr("sum(id)").collect();
        return places.executors.contains(replacement);
      }, "task on the replacement executor " + replacement);
    } finally {
      spark.sparkContext().removeSparkListener(places);
    }
  }

  /** Executors that started a task. */
  private static final class TaskPlaces extends SparkListener {
    final Set<String> executors = ConcurrentHashMap.newKeySet();

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      executors.add(start.taskInfo().executorId());
    }
  }

  @Test
  @Order(4)
  void everyExecutorStillAliveShutsItsPluginDownCleanly() throws Exception {
    String appId = spark.sparkContext().applicationId();
    spark.stop();
    spark = null;
    Map<String, Path> logs = cluster.executorFiles(appId, EXECUTOR_LOG);
    assertTrue(logs.size() >= 2, "executor logs: " + logs);
    Map<String, String> missing = new HashMap<>();
    await(() -> {
      missing.clear();
      for (Map.Entry<String, Path> e : logs.entrySet()) {
        String text = read(e.getValue());
        if (!e.getKey().equals(victim)
            && !text.contains("spark-gpu executor plugin shut down cleanly on executor " + e.getKey() + ":")) {
          missing.put(e.getKey(), ChildJvm.lastLines(text, 10));
        }
      }
      return missing.isEmpty();
    }, () -> "clean plugin shutdown in the logs of executors " + logs.keySet() + " except the killed " + victim
        + "; missing in " + missing);
    for (Map.Entry<String, Path> e : logs.entrySet()) {
      String text = read(e.getValue());
      assertTrue(text.contains("spark-gpu executor plugin started: executor " + e.getKey() + " on 127.0.0.1: GPU "),
          e.getValue() + ":\n" + text);
      assertFalse(text.contains("did not shut down cleanly"), e.getValue() + ":\n" + text);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
