package io.sparkgpu.plugin;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of {@link SparkGpuPlugin}: collects the {@link ExecutorDeviceReport} each executor sends when its
 * plugin starts, logs which executors have which devices (and the resources Spark registered them with), notes
 * removed executors, and publishes counts as metrics. The reports of the current SparkContext are readable by the
 * application through {@link #executorDevices()}. Owned by Spark's plugin container; holds no native resources.
 */
public final class SparkGpuDriverPlugin implements DriverPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(SparkGpuDriverPlugin.class);

  // One SparkContext per JVM: the state of its driver plugin, reset when a new one starts.
  private static final Map<String, ExecutorDeviceReport> REPORTS = new ConcurrentHashMap<>();
  private static final Set<String> REMOVED = ConcurrentHashMap.newKeySet();

  @Override
  public Map<String, String> init(SparkContext sc, PluginContext ctx) {
    REPORTS.clear();
    REMOVED.clear();
    try {
      sc.addSparkListener(new ExecutorListener());
      LOG.info("spark-gpu driver plugin started for {}; executors report their devices as they start",
          sc.appName());
    } catch (RuntimeException e) {
      LOG.warn("spark-gpu driver plugin could not listen for executor changes: {}", e.toString());
    }
    return Collections.emptyMap();
  }

  @Override
  public void registerMetrics(String appId, PluginContext ctx) {
    try {
      PluginMetrics.registerDriver(ctx.metricRegistry(), () -> activeReports().size(),
          () -> (int) activeReports().values().stream().filter(r -> r.gpuAddress() != null).count());
    } catch (RuntimeException e) {
      LOG.warn("spark-gpu driver plugin could not register its metrics: {}", e.toString());
    }
  }

  @Override
  public Object receive(Object message) {
    ExecutorDeviceReport.fromMessage(message).ifPresentOrElse(r -> {
      REPORTS.put(r.executorId(), r);
      LOG.info("spark-gpu: {}", r.describe());
    }, () -> LOG.warn("spark-gpu driver plugin ignored an unknown message of type {}",
        message == null ? "null" : message.getClass().getName()));
    return null;
  }

  @Override
  public void shutdown() {
    Map<String, ExecutorDeviceReport> active = activeReports();
    long withGpu = active.values().stream().filter(r -> r.gpuAddress() != null).count();
    LOG.info("spark-gpu driver plugin shut down: {} executors reported ({} removed since), {} of the remaining {} "
        + "with a GPU", REPORTS.size(), REMOVED.size(), withGpu, active.size());
  }

  /**
   * The device report of every executor of the current SparkContext that has sent one, by executor id, including
   * executors removed since (see {@link #removedExecutors()}). A snapshot.
   */
  public static Map<String, ExecutorDeviceReport> executorDevices() {
    return Collections.unmodifiableMap(new TreeMap<>(REPORTS));
  }

  /** Ids of the executors removed from the current SparkContext since it started. A snapshot. */
  public static Set<String> removedExecutors() {
    return Set.copyOf(REMOVED);
  }

  private static Map<String, ExecutorDeviceReport> activeReports() {
    Map<String, ExecutorDeviceReport> active = new TreeMap<>(REPORTS);
    active.keySet().removeAll(REMOVED);
    return active;
  }

  /** Logs executor registrations with their resources, and removals with the device they had. */
  private static final class ExecutorListener extends SparkListener {
    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded added) {
      LOG.info("Executor {} registered on {} with {} cores and resources {}", added.executorId(),
          added.executorInfo().executorHost(), added.executorInfo().totalCores(),
          added.executorInfo().resourcesInfo());
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
      REMOVED.add(removed.executorId());
      ExecutorDeviceReport r = REPORTS.get(removed.executorId());
      LOG.info("Executor {} removed ({}){}", removed.executorId(), removed.reason(),
          r == null ? "" : "; it had " + (r.gpuAddress() == null ? "no GPU" : "GPU " + r.gpuAddress()));
    }
  }
}
