package io.sparkgpu.plugin;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.sparkgpu.train.ResidentDataCache;
import io.sparkgpu.train.TrainerCounters;
import java.util.function.IntSupplier;

/**
 * The plugin's metrics, registered in the {@code PluginContext}'s registry during {@code init} (Spark publishes
 * them under {@code plugin.io.sparkgpu.plugin.SparkGpuPlugin.*} to the configured sinks). Executor metrics read the
 * trainer's live counters; driver metrics count executor reports. Names on the two sides differ because in local
 * mode both sides share one metrics system.
 */
public final class PluginMetrics {
  public static final String RESIDENT_BYTES = "executor.residentBytes";
  public static final String RESIDENT_PARTITIONS = "executor.residentPartitions";
  public static final String BYTES_UPLOADED = "executor.bytesUploaded";
  public static final String BATCHES_TRAINED = "executor.batchesTrained";
  public static final String EPOCHS_TRAINED = "executor.partitionEpochsTrained";
  public static final String LAST_EPOCH_SECONDS = "executor.lastEpochSeconds";
  public static final String GPU_ASSIGNED = "executor.gpuAssigned";
  /** Registered only when the device has memory of its own (not on the CPU backend). */
  public static final String DEVICE_MEMORY_USED = "executor.deviceMemoryUsedBytes";
  /** Registered only when the device has memory of its own (not on the CPU backend). */
  public static final String DEVICE_MEMORY_FREE = "executor.deviceMemoryFreeBytes";
  public static final String EXECUTORS_REPORTED = "driver.executorsReported";
  public static final String EXECUTORS_WITH_GPU = "driver.executorsWithGpu";

  private PluginMetrics() {}

  /** Registers the executor's gauges for {@code session}, whose GPU address is {@code gpuAddress} (or null). */
  static void registerExecutor(MetricRegistry registry, DeviceSession session, String gpuAddress) {
    ResidentDataCache cache = ResidentDataCache.global();
    TrainerCounters counters = TrainerCounters.global();
    registry.register(RESIDENT_BYTES, (Gauge<Long>) cache::residentBytes);
    registry.register(RESIDENT_PARTITIONS, (Gauge<Integer>) cache::size);
    registry.register(BYTES_UPLOADED, (Gauge<Long>) counters::bytesMadeResident);
    registry.register(BATCHES_TRAINED, (Gauge<Long>) counters::batchesTrained);
    registry.register(EPOCHS_TRAINED, (Gauge<Long>) counters::partitionEpochs);
    registry.register(LAST_EPOCH_SECONDS, (Gauge<Double>) counters::lastEpochSeconds);
    registry.register(GPU_ASSIGNED, (Gauge<Integer>) () -> gpuAddress == null ? 0 : 1);
    if (session.memoryUsedBytes().isPresent() || session.memoryFreeBytes().isPresent()) {
      registry.register(DEVICE_MEMORY_USED, (Gauge<Long>) () -> session.memoryUsedBytes().orElse(0));
      registry.register(DEVICE_MEMORY_FREE, (Gauge<Long>) () -> session.memoryFreeBytes().orElse(0));
    }
  }

  /** Registers the driver's gauges over the counts {@code reported} and {@code withGpu} supply. */
  static void registerDriver(MetricRegistry registry, IntSupplier reported, IntSupplier withGpu) {
    registry.register(EXECUTORS_REPORTED, (Gauge<Integer>) reported::getAsInt);
    registry.register(EXECUTORS_WITH_GPU, (Gauge<Integer>) withGpu::getAsInt);
  }
}
