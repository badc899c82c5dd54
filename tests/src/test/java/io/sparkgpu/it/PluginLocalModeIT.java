package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.ExecutorDevices;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.plugin.ExecutorDeviceReport;
import io.sparkgpu.plugin.PluginMetrics;
import io.sparkgpu.plugin.SparkGpuDriverPlugin;
import io.sparkgpu.plugin.SparkGpuPlugin;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plugin in local mode, where its driver and executor sides both run in this JVM: it starts with the CPU
 * backend, reports to the driver, registers its metrics with Spark's metrics system (read here through Spark's
 * JmxSink), the metrics count exactly the work of a fit, and stopping the session shuts it down cleanly. Its own
 * session (plugins are fixed when a SparkContext starts), in failsafe's JVM.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PluginLocalModeIT {
  private static final String SOURCE = "plugin." + SparkGpuPlugin.class.getName() + ".";

  /** The plugin's metrics published through JMX, by name (without the source prefix). */
  private static Map<String, Number> jmxMetrics() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Map<String, Number> values = new TreeMap<>();
    for (ObjectName name : server.queryNames(new ObjectName("metrics:*"), null)) {
      String metric = name.getKeyProperty("name");
      int at = metric == null ? -1 : metric.indexOf(SOURCE);
      if (at >= 0) {
        values.put(metric.substring(at + SOURCE.length()), (Number) server.getAttribute(name, "Value"));
      }
    }
    return values;
  }

  @Test
  void startsReportsPublishesMetricsAndShutsDownCleanly() throws Exception {
    SparkSession spark;
    try (LogCapture log = new LogCapture("io.sparkgpu")) {
      spark = SparkSession.builder().master("local[2]").appName("PluginLocalModeIT")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.plugins", SparkGpuPlugin.class.getName())
          .config("spark.metrics.conf.*.sink.jmx.class", "org.apache.spark.metrics.sink.JmxSink")
          .getOrCreate();
      try {
        ExecutorDevices.Assignment a = ExecutorDevices.current().orElseThrow(
            () -> new AssertionError("the executor plugin recorded no device; log: " + log.lines()));
        assertEquals("driver", a.executorId());
        assertNull(a.gpuAddress(), "local mode has no GPU resources");
        assertEquals("cpu", a.backend());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (SparkGpuDriverPlugin.executorDevices().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(50); // the report travels through the driver's RPC endpoint
        }
        Map<String, ExecutorDeviceReport> reports = SparkGpuDriverPlugin.executorDevices();
        assertEquals(Set.of("driver"), reports.keySet(), "device reports: " + reports);
        assertEquals("cpu", reports.get("driver").backend());

        Map<String, Number> before = jmxMetrics();
        assertEquals(Set.of(PluginMetrics.RESIDENT_BYTES, PluginMetrics.RESIDENT_PARTITIONS,
            PluginMetrics.BYTES_UPLOADED, PluginMetrics.BATCHES_TRAINED, PluginMetrics.EPOCHS_TRAINED,
            PluginMetrics.LAST_EPOCH_SECONDS, PluginMetrics.GPU_ASSIGNED, PluginMetrics.EXECUTORS_REPORTED,
            PluginMetrics.EXECUTORS_WITH_GPU), before.keySet(),
            "the plugin's metrics in Spark's metrics system (no device memory on the CPU)");
        assertEquals(1, before.get(PluginMetrics.EXECUTORS_REPORTED).intValue());
        assertEquals(0, before.get(PluginMetrics.EXECUTORS_WITH_GPU).intValue());

        // 2 partitions of 1000 dense rows x 5 features, 100-row batches, one pass per epoch, 3 epochs.
        Dataset<Row> data = SyntheticData.regression(spark, 3L, 2000, 5, 1.0, 0.1, 2);
        new LinearRegression().setNumWorkers(2).setBatchSize(100).setMinStepsPerEpoch(1).setMaxIter(3).setTol(0)
            .fit(data);
        Map<String, Number> after = jmxMetrics();
        assertEquals(2 * 3 * 10, delta(before, after, PluginMetrics.BATCHES_TRAINED), "mini-batches trained");
        assertEquals(2 * 3, delta(before, after, PluginMetrics.EPOCHS_TRAINED), "partition epochs");
        assertEquals(2000L * (5 + 2) * 4, delta(before, after, PluginMetrics.BYTES_UPLOADED),
            "float32 features, label and weight of 2000 rows");
        assertEquals(0, after.get(PluginMetrics.RESIDENT_PARTITIONS).intValue(), "released after the fit");
        assertTrue(after.get(PluginMetrics.LAST_EPOCH_SECONDS).doubleValue() > 0);
      } finally {
        spark.stop();
      }
      assertEquals(Optional.empty(), ExecutorDevices.current(), "shutdown clears the executor's device entry");
      assertTrue(log.contains("spark-gpu executor plugin started: executor driver on "), "log: " + log.lines());
      assertTrue(log.contains("spark-gpu executor plugin shut down cleanly on executor driver: backend cpu"),
          "log: " + log.lines());
      assertTrue(log.contains("spark-gpu driver plugin shut down: 1 executors reported"), "log: " + log.lines());
      assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("ERROR") || l.startsWith("WARN")),
          "no warnings or errors from spark-gpu: " + log.lines());
    }
  }

  private static long delta(Map<String, Number> before, Map<String, Number> after, String metric) {
    return after.get(metric).longValue() - before.get(metric).longValue();
  }
}
