package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver side without Spark: executor reports are collected and counted; other messages are ignored. */
class DriverPluginTest {
  @Test
  void reportsAreCollectedAndCounted() {
    SparkGpuDriverPlugin plugin = new SparkGpuDriverPlugin();
    FakePluginContext ctx = new FakePluginContext("driver");
    plugin.registerMetrics("app-1", ctx);
    ExecutorDeviceReport a = new ExecutorDeviceReport("1", "h1", "0", "cpu", "GPU 0 assigned but ...");
    ExecutorDeviceReport b = new ExecutorDeviceReport("2", "h2", null, "cpu", "no GPU");
    assertNull(plugin.receive(a.toMessage()));
    assertNull(plugin.receive(b.toMessage()));
    assertNull(plugin.receive("not a report"));
    assertEquals(Map.of("1", a, "2", b), SparkGpuDriverPlugin.executorDevices());
    assertEquals(2, ctx.registry.getGauges().get(PluginMetrics.EXECUTORS_REPORTED).getValue());
    assertEquals(1, ctx.registry.getGauges().get(PluginMetrics.EXECUTORS_WITH_GPU).getValue());
    plugin.shutdown();
  }
}
