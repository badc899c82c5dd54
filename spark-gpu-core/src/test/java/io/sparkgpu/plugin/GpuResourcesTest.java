package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class GpuResourcesTest {
  @Test
  void noGpuResourceMeansNoAddress() {
    assertEquals(Optional.empty(), GpuResources.singleAddress(Map.of(), "1"));
    assertEquals(Optional.empty(), GpuResources.singleAddress(null, "1"));
    assertEquals(Optional.empty(), GpuResources.singleAddress(
        Map.of("gpu", new ResourceInformation("gpu", new String[0])), "1"));
    assertEquals(Optional.empty(), GpuResources.singleAddress(
        Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"})), "1"));
  }

  @Test
  void oneGpuIsItsAddress() {
    assertEquals(Optional.of("3"), GpuResources.singleAddress(
        Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"})), "1"));
  }

  @Test
  void moreThanOneGpuIsRejectedWithTheSettingToChange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuResources.singleAddress(
        Map.of("gpu", new ResourceInformation("gpu", new String[] {"0", "1"})), "7"));
    assertTrue(e.getMessage().contains("Executor 7 was assigned 2 GPUs [0, 1]"), e.getMessage());
    assertTrue(e.getMessage().contains("spark.executor.resource.gpu.amount=1"), e.getMessage());
  }
}
