package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.cuda.CudaAvailability;
import org.junit.jupiter.api.Test;

/**
 * The CUDA device initializer refuses, with the reason, before touching a device: no usable driver, or a resource
 * address that is not a device ordinal. (Opening a real device needs a GPU; none exists here.)
 */
class CudaDeviceInitializerTest {
  @Test
  void isTheInitializerTheExecutorPluginTriesForAGpu() {
    assertEquals("cuda", DeviceInitializers.gpuInitializers().get(0).name());
  }

  @Test
  void noUsableDriverIsRefusedWithTheProbesReason() {
    CudaDeviceInitializer init = new CudaDeviceInitializer(
        () -> new CudaAvailability(false, 0, 0, "the NVIDIA driver library libcuda.so.1 cannot be loaded"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> init.open("0"));
    assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
  }

  @Test
  void anAddressThatIsNotAnOrdinalIsRefusedWithTheFix() {
    CudaDeviceInitializer init = new CudaDeviceInitializer(() -> new CudaAvailability(true, 2, 12040, "2 devices"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> init.open("GPU-abc"));
    assertTrue(bad.getMessage().contains("GPU-abc") && bad.getMessage().contains("ordinal"), bad.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> init.open("5"));
    assertTrue(missing.getMessage().contains("address 5") && missing.getMessage().contains("CUDA_VISIBLE_DEVICES"),
        missing.getMessage());
  }
}
