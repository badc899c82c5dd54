package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.DeviceSetting;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The fallback decision and its messages, with the probe's answer given. */
class DeviceDecisionTest {
  private static final String NO_DRIVER = "the NVIDIA driver library libcuda.so.1 cannot be loaded";
  private static final Supplier<CudaAvailability> NONE = () -> CudaAvailability.unusable(NO_DRIVER);
  private static final Supplier<CudaAvailability> TWO_GPUS =
      () -> new CudaAvailability(true, 2, 12040, "2 CUDA device(s)");

  @Test
  void cpuNeverAsksTheProbe() {
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.CPU, true, "gpu", new String[] {"0"}, 0, () -> {
      throw new AssertionError("probed");
    });
    assertFalse(d.usesCuda());
    assertEquals("device=cpu", d.reason());
  }

  @Test
  void autoWithoutAUsableGpuTrainsOnTheCpuAndSaysWhy() {
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, true, "gpu", null, 3, NONE);
    assertFalse(d.usesCuda());
    assertEquals(-1, d.ordinal());
    assertEquals("no usable GPU: " + NO_DRIVER, d.reason());
  }

  @Test
  void cudaWithoutAUsableGpuFailsWithTheReasonAndTheSettingToChange() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DeviceDecision.decide(DeviceSetting.CUDA, true, "gpu", null, 3, NONE));
    String m = e.getMessage();
    assertTrue(m.startsWith("device=cuda was requested but this task cannot use a GPU: no usable GPU: "), m);
    assertTrue(m.contains(NO_DRIVER) && m.contains("Set device to 'auto'") && m.contains("'cpu'"), m);
  }

  @Test
  void aTaskResourceAddressPicksTheDevice() {
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, false, "gpu", new String[] {"1"}, 0, TWO_GPUS);
    assertTrue(d.usesCuda());
    assertEquals(1, d.ordinal());
    assertEquals("the task's 'gpu' resource address 1", d.reason());
    assertEquals(1, DeviceDecision.decide(DeviceSetting.CUDA, false, "gpu", new String[] {"1"}, 0, TWO_GPUS)
        .ordinal());
  }

  @Test
  void severalAddressesUseTheFirstAndSaySo() {
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, false, "gpu", new String[] {"1", "0"}, 0, TWO_GPUS);
    assertEquals(1, d.ordinal());
    assertTrue(d.reason().contains("addresses [0] stay unused"), d.reason());
  }

  @Test
  void aCustomResourceNameAppearsInTheMessages() {
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, false, "nvidia.com/gpu", new String[] {"0"}, 0,
        TWO_GPUS);
    assertEquals("the task's 'nvidia.com/gpu' resource address 0", d.reason());
    DeviceDecision none = DeviceDecision.decide(DeviceSetting.AUTO, false, "nvidia.com/gpu", null, 0, TWO_GPUS);
    assertTrue(none.reason().contains("spark.task.resource.nvidia.com/gpu.amount"), none.reason());
  }

  @Test
  void onAClusterATaskWithoutAGpuResourceTrainsOnTheCpuOrFails() {
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, false, "gpu", new String[0], 4, TWO_GPUS);
    assertFalse(d.usesCuda());
    assertTrue(d.reason().startsWith("the task has no 'gpu' resource assigned"), d.reason());
    assertTrue(d.reason().contains("spark.executor.resource.gpu.amount")
        && d.reason().contains("spark.task.resource.gpu.amount"), d.reason());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DeviceDecision.decide(DeviceSetting.CUDA, false, "gpu", null, 4, TWO_GPUS));
    assertTrue(e.getMessage().contains("no 'gpu' resource") && e.getMessage().contains("Set device to 'auto'"),
        e.getMessage());
  }

  @Test
  void localModeUsesPartitionModuloVisibleDevices() {
    for (int p = 0; p < 6; p++) {
      DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, true, "gpu", null, p, TWO_GPUS);
      assertEquals(p % 2, d.ordinal(), "partition " + p);
      assertEquals("local mode: partition id modulo 2 visible GPU(s)", d.reason());
    }
    // a resource, when present, wins over the local-mode rule
    assertEquals(0, DeviceDecision.decide(DeviceSetting.AUTO, true, "gpu", new String[] {"0"}, 5, TWO_GPUS)
        .ordinal());
  }

  @Test
  void anIsolatedGpuIsDeviceZero() {
    Supplier<CudaAvailability> one = () -> new CudaAvailability(true, 1, 12040, "1 CUDA device(s)");
    DeviceDecision d = DeviceDecision.decide(DeviceSetting.AUTO, false, "gpu", new String[] {"3"}, 0, one);
    assertEquals(0, d.ordinal());
    assertTrue(d.reason().contains("address 3 (seen by this process as device 0)"), d.reason());
  }
}
