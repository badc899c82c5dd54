package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicePoolSizingTest {
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  @Test
  void theFractionLimitsALargeDevice() {
    // 80 GiB free, 0.9 of it = 72 GiB, well below free - reserve
    assertEquals(72 * GIB, DevicePoolSizing.poolBytes(80 * GIB, 0.9, 640 * MIB));
  }

  @Test
  void theReserveLimitsWhenTheFractionIsHigh() {
    // 16 GiB free, fraction 1: the reserve of 640 MiB stays free
    assertEquals(16 * GIB - 640 * MIB, DevicePoolSizing.poolBytes(16 * GIB, 1.0, 640 * MIB));
    // 4 GiB free, 0.9 would leave 409.6 MiB, less than the 640 MiB reserve
    assertEquals(4 * GIB - 640 * MIB, DevicePoolSizing.poolBytes(4 * GIB, 0.9, 640 * MIB));
  }

  @Test
  void poolsAreWholeMultiplesOfTwoMib() {
    long pool = DevicePoolSizing.poolBytes(10 * GIB + 12345, 0.77, 0);
    assertEquals(0, pool % DevicePoolSizing.ALIGNMENT);
    assertTrue(pool <= (long) Math.floor((10 * GIB + 12345) * 0.77));
    assertTrue(pool > (long) Math.floor((10 * GIB + 12345) * 0.77) - DevicePoolSizing.ALIGNMENT);
  }

  @Test
  void nothingLeftAfterTheReserveIsAClearError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DevicePoolSizing.poolBytes(600 * MIB, 0.9, 640 * MIB));
    String m = e.getMessage();
    assertTrue(m.contains("600 MiB free") && m.contains("640 MiB") && m.contains("spark.sparkgpu.gpu.reserve"), m);
    assertThrows(IllegalStateException.class, () -> DevicePoolSizing.poolBytes(0, 0.9, 0));
    assertThrows(IllegalStateException.class, () -> DevicePoolSizing.poolBytes(MIB, 1.0, 0), "below 2 MiB");
  }

  @Test
  void invalidInputsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> DevicePoolSizing.poolBytes(GIB, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> DevicePoolSizing.poolBytes(GIB, 1.01, 0));
    assertThrows(IllegalArgumentException.class, () -> DevicePoolSizing.poolBytes(GIB, Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> DevicePoolSizing.poolBytes(-1, 0.5, 0));
    assertThrows(IllegalArgumentException.class, () -> DevicePoolSizing.poolBytes(GIB, 0.5, -1));
  }
}
