package io.sparkgpu.plugin;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * spark-gpu's Spark plugin: enable it with {@code --conf spark.plugins=io.sparkgpu.plugin.SparkGpuPlugin}.
 *
 * <p>On each executor ({@link SparkGpuExecutorPlugin}) it prepares the executor's device once (its "gpu" resource,
 * else the CPU backend), records it for the trainer, publishes training metrics through Spark's metrics system, and
 * tears everything down at shutdown. On the driver ({@link SparkGpuDriverPlugin}) it collects and logs which
 * executors have which devices. Without the plugin the trainer works the same and decides per task.
 *
 * <p>A thin entry point: Spark creates it by reflection and owns the two sides it returns.
 */
public final class SparkGpuPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return new SparkGpuDriverPlugin();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new SparkGpuExecutorPlugin();
  }
}
