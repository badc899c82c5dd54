package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.sparkgpu.arrow.ArrowAllocators;
import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.ExecutorDevices;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.train.FitPlan;
import io.sparkgpu.train.LearningRateSchedule;
import io.sparkgpu.train.PartitionTrainer;
import io.sparkgpu.train.ResidentDataCache;
import io.sparkgpu.train.ResidentPartition;
import io.sparkgpu.train.TrainerCounters;
import io.sparkgpu.train.TrainingSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.api.plugin.PluginContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executor side of the plugin without Spark: what it records, registers and reports for each kind of executor
 * (no GPU, one GPU without a GPU backend, a GPU backend that works or fails, two GPUs), that nothing escapes
 * {@code init}, and that shutdown runs every step.
 */
class ExecutorPluginTest {
  private static final Set<String> CPU_METRICS = Set.of(PluginMetrics.RESIDENT_BYTES,
      PluginMetrics.RESIDENT_PARTITIONS, PluginMetrics.BYTES_UPLOADED, PluginMetrics.BATCHES_TRAINED,
      PluginMetrics.EPOCHS_TRAINED, PluginMetrics.LAST_EPOCH_SECONDS, PluginMetrics.GPU_ASSIGNED);

  @AfterEach
  void clearRegistry() {
    ExecutorDevices.current().ifPresent(ExecutorDevices::clear);
  }

  /** A GPU backend stand-in that opens any address and reports device memory. */
  private static final class FakeGpu implements DeviceInitializer {
    final AtomicBoolean closed = new AtomicBoolean();
    RuntimeException closeFailure;

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public DeviceSession open(String gpuAddress) {
      return new DeviceSession() {
        @Override
        public String backend() {
          return "fake:" + gpuAddress;
        }

        @Override
        public OptionalLong memoryUsedBytes() {
          return closed.get() ? OptionalLong.empty() : OptionalLong.of(1000);
        }

        @Override
        public OptionalLong memoryFreeBytes() {
          return closed.get() ? OptionalLong.empty() : OptionalLong.of(9000);
        }

        @Override
        public void close() {
          closed.set(true);
          if (closeFailure != null) {
            throw closeFailure;
          }
        }
      };
    }
  }

  private static final class BrokenGpu implements DeviceInitializer {
    @Override
    public String name() {
      return "broken";
    }

    @Override
    public DeviceSession open(String gpuAddress) {
      throw new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file");
    }
  }

  private static Object gauge(MetricRegistry r, String name) {
    Gauge<?> g = r.getGauges().get(name);
    assertNotNull(g, "gauge " + name + " not registered; registered: " + r.getNames());
    return g.getValue();
  }

  private static ExecutorDeviceReport onlyReport(FakePluginContext ctx) {
    assertEquals(1, ctx.sent.size(), "messages sent to the driver: " + ctx.sent);
    return ExecutorDeviceReport.fromMessage(ctx.sent.get(0)).orElseThrow();
  }

  @Test
  void anExecutorWithoutGpuRunsOnTheCpuAndReportsIt() {
    FakePluginContext ctx = new FakePluginContext("1");
    try (ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(new FakeGpu()), new CpuDeviceInitializer())) {
      assertEquals(r.assignment(), ExecutorDevices.current().orElseThrow(), "the runtime's entry is registered");
      ExecutorDevices.Assignment a = ExecutorDevices.current().orElseThrow();
      assertEquals(new ExecutorDevices.Assignment("1", null, "cpu", "no GPU resource assigned to this executor"), a);
      assertEquals(CPU_METRICS, new TreeSet<>(ctx.registry.getNames()), "no device memory metrics on the CPU");
      assertEquals(0, gauge(ctx.registry, PluginMetrics.GPU_ASSIGNED));
      ExecutorDeviceReport report = onlyReport(ctx);
      assertEquals("1", report.executorId());
      assertNull(report.gpuAddress());
      assertEquals("cpu", report.backend());
      assertFalse(report.host().isEmpty(), "a host despite PluginContext.hostname() throwing");
    }
    assertEquals(Optional.empty(), ExecutorDevices.current(), "shutdown clears the registry");
  }

  @Test
  void aGpuWithoutGpuBackendIsReportedAndTheCpuTrains() {
    FakePluginContext ctx = new FakePluginContext("2", "3");
    try (ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(), new CpuDeviceInitializer())) {
      assertEquals(r.assignment(), ExecutorDevices.current().orElseThrow(), "the runtime's entry is registered");
      ExecutorDevices.Assignment a = ExecutorDevices.current().orElseThrow();
      assertEquals("3", a.gpuAddress());
      assertEquals("cpu", a.backend());
      assertTrue(a.note().contains("GPU 3 assigned but " + io.sparkgpu.plugin.ExecutorRuntime.NO_GPU_INITIALIZER), a.note());
      assertEquals(1, gauge(ctx.registry, PluginMetrics.GPU_ASSIGNED));
      assertEquals("3", onlyReport(ctx).gpuAddress());
    }
  }

  @Test
  void aGpuBackendThatOpensTheDeviceIsUsedAndReportsDeviceMemory() {
    FakePluginContext ctx = new FakePluginContext("4", "1");
    FakeGpu gpu = new FakeGpu();
    try (ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(new BrokenGpu(), gpu), new CpuDeviceInitializer())) {
      assertEquals(r.assignment(), ExecutorDevices.current().orElseThrow(), "the runtime's entry is registered");
      assertEquals("fake:1", ExecutorDevices.current().orElseThrow().backend());
      assertEquals(1000L, gauge(ctx.registry, PluginMetrics.DEVICE_MEMORY_USED));
      assertEquals(9000L, gauge(ctx.registry, PluginMetrics.DEVICE_MEMORY_FREE));
      assertEquals("fake:1", onlyReport(ctx).backend());
    }
    assertTrue(gpu.closed.get(), "shutdown closes the device session");
    assertEquals(0L, gauge(ctx.registry, PluginMetrics.DEVICE_MEMORY_USED), "a closed device reports 0");
  }

  @Test
  void aGpuBackendThatCannotOpenTheDeviceFallsBackToTheCpuWithTheReason() {
    FakePluginContext ctx = new FakePluginContext("5", "0");
    try (ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(new BrokenGpu()), new CpuDeviceInitializer())) {
      assertEquals(r.assignment(), ExecutorDevices.current().orElseThrow(), "the runtime's entry is registered");
      ExecutorDevices.Assignment a = ExecutorDevices.current().orElseThrow();
      assertEquals("cpu", a.backend());
      assertTrue(a.note().contains("GPU 0 assigned but broken: libcuda.so.1: cannot open shared object file"),
          a.note());
    }
  }

  @Test
  void twoGpusAreRejectedAndTheExecutorTrainsOnTheCpu() {
    FakePluginContext ctx = new FakePluginContext("6", "0", "1");
    FakeGpu gpu = new FakeGpu();
    try (ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(gpu), new CpuDeviceInitializer())) {
      assertEquals(r.assignment(), ExecutorDevices.current().orElseThrow(), "the runtime's entry is registered");
      ExecutorDevices.Assignment a = ExecutorDevices.current().orElseThrow();
      assertNull(a.gpuAddress());
      assertEquals("cpu", a.backend());
      assertTrue(a.note().contains("assigned 2 GPUs [0, 1]"), a.note());
      assertTrue(onlyReport(ctx).note().contains("spark.executor.resource.gpu.amount=1"));
    }
  }

  @Test
  void anUnreachableDriverDoesNotStopTheExecutor() {
    FakePluginContext ctx = new FakePluginContext("7");
    ctx.failSend = true;
    try (ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(), new CpuDeviceInitializer())) {
      assertEquals(r.assignment(), ExecutorDevices.current().orElseThrow(), "the runtime's entry is registered");
      assertEquals("cpu", ExecutorDevices.current().orElseThrow().backend());
    }
  }

  @Test
  void theResidentDataLimitIsAppliedAndABadOneKeepsTheDefault() {
    ResidentDataCache cache = ResidentDataCache.global();
    long before = cache.limitBytes();
    try {
      FakePluginContext ctx = new FakePluginContext("8");
      ctx.conf.set(PluginConfig.RESIDENT_CACHE_MAX_BYTES.name(), "64m");
      ExecutorRuntime.start(ctx, List.of(), new CpuDeviceInitializer()).close();
      assertEquals(64L << 20, cache.limitBytes());
      FakePluginContext bad = new FakePluginContext("9");
      bad.conf.set(PluginConfig.RESIDENT_CACHE_MAX_BYTES.name(), "a lot");
      ExecutorRuntime.start(bad, List.of(), new CpuDeviceInitializer()).close();
      assertEquals(64L << 20, cache.limitBytes(), "a bad value changes nothing");
    } finally {
      cache.setLimitBytes(before);
    }
  }

  @Test
  void nothingEscapesInitAndAFailedStartLeavesNothingBehind() {
    PluginContext broken = new FakePluginContext("10") {
      @Override
      public MetricRegistry metricRegistry() {
        throw new IllegalStateException("metrics system gone");
      }
    };
    SparkGpuExecutorPlugin plugin = new SparkGpuExecutorPlugin();
    plugin.init(broken, Map.of());
    assertNull(plugin.runtime(), "no runtime after a failed start");
    assertEquals(Optional.empty(), ExecutorDevices.current(), "a failed start clears its registry entry");
    plugin.shutdown(); // nothing to do, and no exception

    PluginContext noId = new FakePluginContext("11") {
      @Override
      public String executorID() {
        throw new NullPointerException("no id");
      }
    };
    plugin.init(noId, Map.of());
    assertNull(plugin.runtime());
  }

  @Test
  void pluginInitAndShutdownThroughSparksInterface() {
    FakePluginContext ctx = new FakePluginContext("12", "2");
    SparkGpuExecutorPlugin plugin = new SparkGpuExecutorPlugin();
    plugin.init(ctx, Map.of());
    assertNotNull(plugin.runtime());
    assertEquals("2", ExecutorDevices.current().orElseThrow().gpuAddress());
    plugin.shutdown();
    assertNull(plugin.runtime());
    assertEquals(Optional.empty(), ExecutorDevices.current());
    assertFalse(Runtime.getRuntime().removeShutdownHook(plugin.exitHook()), "shutdown unregisters the exit hook");
    plugin.shutdown(); // twice is harmless
  }

  @Test
  void theJvmExitingBeforeSparkStopsThePluginShutsItDown() {
    FakePluginContext ctx = new FakePluginContext("14");
    SparkGpuExecutorPlugin plugin = new SparkGpuExecutorPlugin();
    plugin.init(ctx, Map.of());
    // Registered while running: removing it succeeds (and is undone at once).
    assertTrue(Runtime.getRuntime().removeShutdownHook(plugin.exitHook()), "no shutdown hook registered");
    Runtime.getRuntime().addShutdownHook(plugin.exitHook());
    plugin.exitHook().run(); // what the JVM does on SIGTERM
    assertNull(plugin.runtime());
    assertEquals(Optional.empty(), ExecutorDevices.current());
    plugin.shutdown(); // Spark's call afterwards: nothing left to do, and the hook is unregistered
    assertFalse(Runtime.getRuntime().removeShutdownHook(plugin.exitHook()), "hook still registered after shutdown");
  }

  @Test
  void shutdownFreesResidentDataThenRunsEveryStepDespiteAFailingDevice() {
    FakePluginContext ctx = new FakePluginContext("13", "0");
    FakeGpu gpu = new FakeGpu();
    gpu.closeFailure = new IllegalStateException("context already destroyed");
    ExecutorRuntime r = ExecutorRuntime.start(ctx, List.of(gpu), new CpuDeviceInitializer());
    ResidentDataCache cache = ResidentDataCache.global();
    long uploadedBefore = TrainerCounters.global().bytesMadeResident();
    int residentBefore = cache.size();
    cache.acquire("shutdown-test", 0, ExecutorPluginTest::tinyTrainer).close();
    assertEquals(residentBefore + 1, cache.size());
    assertEquals(4L * (2 + 2) * 4, TrainerCounters.global().bytesMadeResident() - uploadedBefore,
        "4 rows x (2 features + label + weight) x 4 bytes made resident");
    assertEquals((long) residentBefore + 1, ((Number) gauge(ctx.registry, PluginMetrics.RESIDENT_PARTITIONS))
        .longValue());

    IllegalStateException e = assertThrows(IllegalStateException.class, r::close);
    assertTrue(e.getMessage().contains("failed at step 'close the fake:0 device session'"), e.getMessage());
    assertEquals(0, cache.size(), "resident data freed before the device");
    assertEquals(Optional.empty(), ExecutorDevices.current(), "the step after the failure still ran");
    r.close(); // a second close does nothing
  }

  private static PartitionTrainer tinyTrainer() {
    HostBatch data = HostBatch.dense(4, 2, new float[] {1, 0, 0, 1, 1, 1, 2, 0}, new double[] {1, 2, 3, 4},
        new double[] {1, 1, 1, 1});
    try (BufferAllocator allocator = ArrowAllocators.child("plugin-test", 1L << 24)) {
      List<EngineHarness.Partition> parts = EngineHarness.partition(data, 1, LabelKind.REAL, 1L << 20, allocator);
      TrainingSettings settings = new TrainingSettings(OptimizerKind.SGD, 0.1, false, 0, 4, 1,
          LearningRateSchedule.fromName("constant"), 1L, 0, 0, true, true, 1L << 20, 1);
      FitPlan plan = FitPlan.linear(FitPlan.LinearKind.REGRESSION, 1, EngineHarness.merged(parts), settings, 1);
      ResidentPartition rp = ResidentPartition.build(new CpuBackend(), parts.get(0).batches(), 2,
          plan.config().scaling(), plan.config().labelShift(), plan.config().labelScale(), 1L, 0, 1L << 20);
      return new PartitionTrainer(plan.config(), rp, 0, 1);
    }
  }
}
