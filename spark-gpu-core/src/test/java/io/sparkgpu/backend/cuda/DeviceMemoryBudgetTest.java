package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceMemoryBudgetTest {
  private static final long MIB = 1L << 20;

  @Test
  void reservesUpToTheLimitAndReleases() {
    DeviceMemoryBudget b = new DeviceMemoryBudget("cuda:0", 100 * MIB);
    b.reserve(60 * MIB, "a");
    b.reserve(40 * MIB, "b");
    assertEquals(100 * MIB, b.usedBytes());
    b.release(60 * MIB);
    assertEquals(40 * MIB, b.usedBytes());
    b.reserve(60 * MIB, "c");
    assertEquals(100 * MIB, b.usedBytes());
  }

  @Test
  void anAllocationBeyondThePoolSaysWhatDidNotFit() {
    DeviceMemoryBudget b = new DeviceMemoryBudget("cuda:1", 100 * MIB);
    b.reserve(90 * MIB, "resident data");
    GpuMemoryExhaustedException e = assertThrows(GpuMemoryExhaustedException.class,
        () -> b.reserve(20 * MIB, "a 1000 x 5242 matrix"));
    String m = e.getMessage();
    assertTrue(m.contains("cuda:1") && m.contains("20.0 MiB") && m.contains("a 1000 x 5242 matrix")
        && m.contains("90.0 MiB") && m.contains("100.0 MiB") && m.contains("spark.sparkgpu.gpu.poolFraction"), m);
    assertEquals(20 * MIB, e.requestedBytes());
    assertEquals(90 * MIB, b.usedBytes(), "a failed reservation takes nothing");
  }

  @Test
  void releasingMoreThanReservedIsABug() {
    DeviceMemoryBudget b = new DeviceMemoryBudget("cuda:0", MIB);
    b.reserve(10, "x");
    assertThrows(IllegalStateException.class, () -> b.release(11));
    assertThrows(IllegalArgumentException.class, () -> b.reserve(-1, "y"));
  }
}
