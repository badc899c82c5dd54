package io.sparkgpu.plugin;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link SparkGpuPlugin}: starts an {@link ExecutorRuntime} in {@link #init} and closes it in
 * {@link #shutdown}, or at JVM exit when Spark never calls {@code shutdown} (a standalone Worker SIGTERMs its
 * executors when an application ends, often before they have processed the driver's stop request). Nothing escapes
 * either method: an exception escaping {@code init} would make Spark fail the executor and relaunch it endlessly, so
 * a failure is logged and the executor runs as if the plugin were absent. Owned by Spark's plugin container.
 */
public final class SparkGpuExecutorPlugin implements ExecutorPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(SparkGpuExecutorPlugin.class);

  private final AtomicReference<ExecutorRuntime> runtime = new AtomicReference<>();
  private final Thread exitHook = new Thread(this::shutDownAtExit, "spark-gpu executor plugin shutdown at exit");

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
        return;
      }
      Runtime.getRuntime().addShutdownHook(exitHook);
    } catch (Exception | LinkageError e) {
      LOG.error("spark-gpu executor plugin could not start on executor {}; the executor runs without it (tasks "
          + "pick their backend themselves): {}", executorId, e.toString(), e);
    }
  }

  @Override
  public void shutdown() {
    try {
      Runtime.getRuntime().removeShutdownHook(exitHook);
    } catch (IllegalStateException e) {
      // The JVM is exiting: the hook runs too, and whichever comes second finds nothing to close.
    }
    close();
  }

  private void shutDownAtExit() {
    if (runtime.get() != null) {
      LOG.info("spark-gpu executor plugin: the JVM is exiting before Spark stopped the plugin; shutting down now");
      close();
    }
  }

  private void close() {
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

  /** The JVM shutdown hook registered while the plugin runs, for tests in this package. */
  Thread exitHook() {
    return exitHook;
  }
}
