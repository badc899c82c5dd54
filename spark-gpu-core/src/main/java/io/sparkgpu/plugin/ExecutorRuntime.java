package io.sparkgpu.plugin;

import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.ExecutorDevices;
import io.sparkgpu.train.ResidentDataCache;
import io.sparkgpu.train.TrainerCounters;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the plugin holds on one executor between start-up and shutdown: the {@link DeviceSession} it opened and this
 * JVM's {@link ExecutorDevices} entry. Created by {@link #start}, which also applies the plugin's settings, registers
 * the metrics and reports to the driver; closed once, by {@link SparkGpuExecutorPlugin#shutdown}, which frees the
 * resident data before the device.
 */
final class ExecutorRuntime implements AutoCloseable {
  /**
   * Why an assigned GPU is not prepared by the plugin: no GPU initializer is registered yet. Tasks still choose their
   * backend through BackendSelector, which uses CUDA where it is usable.
   */
  public static final String NO_GPU_INITIALIZER = "no GPU initializer is registered with the plugin yet (tasks "
      + "choose CUDA through BackendSelector where it is usable)";

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorRuntime.class);

  private final ExecutorDevices.Assignment assignment;
  private final DeviceSession session;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ExecutorRuntime(ExecutorDevices.Assignment assignment, DeviceSession session) {
    this.assignment = assignment;
    this.session = session;
  }

  /**
   * Prepares this executor: the GPU from its resources through the first of {@code gpuInitializers} that opens
   * it, else {@code cpu}. Problems with the GPU or the settings are logged and degrade to the CPU and defaults;
   * only an unexpected failure (a bug) throws, after closing what was opened.
   */
  static ExecutorRuntime start(PluginContext ctx, List<DeviceInitializer> gpuInitializers, DeviceInitializer cpu) {
    String executorId = ctx.executorID();
    applySettings(ctx, executorId);

    Optional<String> gpu;
    String note;
    try {
      gpu = GpuResources.singleAddress(ctx.resources(), executorId);
      note = gpu.isPresent() ? null : "no GPU resource assigned to this executor";
    } catch (IllegalArgumentException e) {
      LOG.error("{}; training on the CPU backend", e.getMessage());
      gpu = Optional.empty();
      note = e.getMessage();
    }

    DeviceSession session = null;
    if (gpu.isPresent()) {
      List<String> failures = new ArrayList<>();
      for (DeviceInitializer init : gpuInitializers) {
        try {
          session = init.open(gpu.get());
          note = "GPU " + gpu.get() + " prepared by the " + init.name() + " backend";
          break;
        } catch (RuntimeException | LinkageError e) {
          LOG.warn("The {} backend could not prepare GPU {} of executor {}: {}", init.name(), gpu.get(), executorId,
              e.toString(), e);
          failures.add(init.name() + ": " + e.getMessage());
        }
      }
      if (session == null) {
        note = "GPU " + gpu.get() + " assigned but " + (failures.isEmpty() ? NO_GPU_INITIALIZER
            : String.join("; ", failures)) + "; training on the CPU backend";
      }
    }
    if (session == null) {
      session = cpu.open(null);
    }

    try {
      ExecutorDevices.Assignment assignment = new ExecutorDevices.Assignment(executorId, gpu.orElse(null),
          session.backend(), note);
      ExecutorDevices.register(assignment);
      PluginMetrics.registerExecutor(ctx.metricRegistry(), session, assignment.gpuAddress());
      ExecutorDeviceReport report = new ExecutorDeviceReport(executorId, host(ctx), assignment.gpuAddress(),
          session.backend(), note);
      LOG.info("spark-gpu executor plugin started: {}; resident data limit {} MiB", report.describe(),
          ResidentDataCache.global().limitBytes() >> 20);
      try {
        ctx.send(report.toMessage());
      } catch (Exception e) {
        LOG.warn("spark-gpu executor plugin on executor {} could not report its device to the driver: {}",
            executorId, e.toString());
      }
      return new ExecutorRuntime(assignment, session);
    } catch (RuntimeException | Error e) {
      ExecutorDevices.current().filter(a -> a.executorId().equals(executorId)).ifPresent(ExecutorDevices::clear);
      try {
        session.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Applies the plugin's settings; a bad value is logged with what to change, and the default kept. */
  private static void applySettings(PluginContext ctx, String executorId) {
    try {
      PluginConfig.RESIDENT_CACHE_MAX_BYTES.get(ctx.conf()).ifPresent(limit -> {
        ResidentDataCache.global().setLimitBytes(limit);
        LOG.info("Executor {}: resident data limited to {} MiB ({})", executorId, limit >> 20,
            PluginConfig.RESIDENT_CACHE_MAX_BYTES.name());
      });
    } catch (IllegalArgumentException e) {
      LOG.error("Executor {}: {}; keeping the current limit of {} MiB", executorId, e.getMessage(),
          ResidentDataCache.global().limitBytes() >> 20);
    }
  }

  /** The executor's host. {@code PluginContext.hostname()} throws a NullPointerException on executors in 4.1.0. */
  static String host(PluginContext ctx) {
    try {
      String h = ctx.hostname();
      if (h != null) {
        return h;
      }
    } catch (RuntimeException e) {
      // Fall through to the block manager's host.
    }
    try {
      return SparkEnv.get().blockManager().blockManagerId().host();
    } catch (RuntimeException e) {
      // Not initialised yet: the JVM's own name.
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown host";
    }
  }

  ExecutorDevices.Assignment assignment() {
    return assignment;
  }

  DeviceSession session() {
    return session;
  }

  /**
   * Frees every resident partition (device memory must go before the device), closes the device session and
   * clears the registry entry: every step runs; the first failure is thrown with the others suppressed.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    int[] released = new int[1];
    new ShutdownSteps("spark-gpu executor plugin shutdown on executor " + assignment.executorId())
        .add("release resident partitions", () -> released[0] = ResidentDataCache.global().releaseAll())
        .add("close the " + session.backend() + " device session", session::close)
        .add("clear the executor's device entry", () -> ExecutorDevices.clear(assignment))
        .run();
    TrainerCounters c = TrainerCounters.global();
    LOG.info("spark-gpu executor plugin shut down cleanly on executor {}: backend {}, {} resident partitions "
        + "released; {} batches trained over {} partition epochs, {} MiB made resident", assignment.executorId(),
        session.backend(), released[0], c.batchesTrained(), c.partitionEpochs(), c.bytesMadeResident() >> 20);
  }
}
