package io.sparkgpu.plugin;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link SparkGpuPlugin}: starts an {@link ExecutorRuntime} in {@link #init} and closes it in
 * {@link #shutdown}. Nothing escapes either method: an exception escaping {@code init} would make Spark fail the
 * executor and relaunch it endlessly, so a failure is logged and the executor runs as if the plugin were absent.
 * Owned by Spark's plugin container.
 */
public final class SparkGpuExecutorPlugin implements ExecutorPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(SparkGpuExecutorPlugin.class);

  private final AtomicReference<ExecutorRuntime> runtime = new AtomicReference<>();

  @Override
  public void init(PluginContext ctx, Map<String, String> extraConf) {
    String executorId = "?";
    try {
      executorId = ctx.executorID();
      ExecutorRuntime started = ExecutorRuntime.start(ctx, DeviceInitializers.gpuInitializers(),
          DeviceInitializers.cpu());
      if (!runtime.compareAndSet(null, started)) {
        LOG.warn("spark-gpu executor plugin initialised twice on executor {}; keeping the first", executorId);
        started.close();
      }
    } catch (Exception | LinkageError e) {
      LOG.error("spark-gpu executor plugin could not start on executor {}; the executor runs without it (tasks "
          + "pick their backend themselves): {}", executorId, e.toString(), e);
    }
  }

  @Override
  public void shutdown() {
    ExecutorRuntime r = runtime.getAndSet(null);
    if (r == null) {
      return;
    }
    try {
      r.close();
    } catch (Exception | LinkageError e) {
      LOG.error("spark-gpu executor plugin did not shut down cleanly on executor {}", r.assignment().executorId(),
          e);
    }
  }

  /** The running runtime, for tests in this package. */
  ExecutorRuntime runtime() {
    return runtime.get();
  }
}
