package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.DeviceSetting;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user gets on a host without a usable GPU, such as every machine of this project: the real probe, the real
 * selector, outside Spark (so "local"). Skipped, visibly, on a host where CUDA works.
 */
class NoGpuHereTest {
  private static CudaAvailability cuda;

  @BeforeAll
  static void probe() {
    cuda = CudaProbe.availability();
    Assumptions.assumeFalse(cuda.usable(), () -> "this host has a usable GPU (" + cuda.description() + ")");
  }

  @Test
  void theProbeSaysWhyInOneSentence() {
    assertFalse(cuda.usable());
    String reason = cuda.reasonUnusable();
    assertTrue(reason != null && !reason.isBlank());
    assertFalse(reason.contains("\n"), "one line: " + reason);
    if (!new java.io.File("/usr/lib/x86_64-linux-gnu/libcuda.so.1").exists()) {
      assertTrue(reason.contains("libcuda.so.1"), reason);
    }
    assertSame(cuda, CudaProbe.availability(), "probed once per JVM");
  }

  @Test
  void deviceCudaFailsOnTheDriverWithTheReasonAndTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BackendSelector.checkOnDriver(DeviceSetting.CUDA));
    String m = e.getMessage();
    assertTrue(m.startsWith("device=cuda was requested but no usable GPU is available on this host: "), m);
    assertTrue(m.contains(cuda.description()), m);
    assertTrue(m.contains("Set device to 'auto'"), m);
  }

  @Test
  void deviceCudaFailsInATaskWithTheReason() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> BackendSelector.forTask(DeviceSetting.CUDA));
    assertTrue(e.getMessage().contains(cuda.description()) && e.getMessage().contains("Set device to 'auto'"),
        e.getMessage());
  }

  @Test
  void deviceAutoTrainsOnTheCpuAndTheCallerOwnsNothing() {
    BackendSelector.checkOnDriver(DeviceSetting.AUTO);
    BackendSelector.Selection s = BackendSelector.forTask(DeviceSetting.AUTO);
    assertTrue(s.backend().name().equals("cpu"));
    assertFalse(s.owned());
    try (BackendSelector.DeviceSlot slot = BackendSelector.occupy(s.backend())) {
      assertTrue(slot != null, "a CPU backend gets a no-op slot");
    }
  }
}
