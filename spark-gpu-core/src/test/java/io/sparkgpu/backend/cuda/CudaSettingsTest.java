package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CudaSettingsTest {

  @Test
  void unsetKeysTakeTheDefaults() {
    CudaSettings s = CudaSettings.parse(key -> null);
    assertEquals(CudaSettings.defaults(), s);
    assertEquals("gpu", s.resourceName());
    assertEquals(0.9, s.poolFraction());
    assertEquals(640L << 20, s.reserveBytes());
    assertEquals(2, s.concurrentTasks());
  }

  @Test
  void valuesAreParsedWithSizeSuffixes() {
    Map<String, String> conf = Map.of(CudaSettings.RESOURCE_NAME_KEY, " nvidia.com/gpu ",
        CudaSettings.POOL_FRACTION_KEY, "0.5", CudaSettings.RESERVE_KEY, "1g", CudaSettings.CONCURRENT_TASKS_KEY, "4");
    CudaSettings s = CudaSettings.parse(conf::get);
    assertEquals("nvidia.com/gpu", s.resourceName());
    assertEquals(0.5, s.poolFraction());
    assertEquals(1L << 30, s.reserveBytes());
    assertEquals(4, s.concurrentTasks());
    assertEquals(512L << 20, CudaSettings.parse(Map.of(CudaSettings.RESERVE_KEY, "512m")::get).reserveBytes());
    assertEquals(0L, CudaSettings.parse(Map.of(CudaSettings.RESERVE_KEY, "0")::get).reserveBytes());
  }

  private static String error(String key, String value) {
    return assertThrows(IllegalArgumentException.class, () -> CudaSettings.parse(Map.of(key, value)::get))
        .getMessage();
  }

  @Test
  void invalidValuesNameTheKeyTheRangeAndTheValue() {
    String m = error(CudaSettings.POOL_FRACTION_KEY, "1.5");
    assertTrue(m.contains("spark.sparkgpu.gpu.poolFraction") && m.contains("(0, 1]") && m.contains("1.5"), m);
    m = error(CudaSettings.POOL_FRACTION_KEY, "0");
    assertTrue(m.contains("(0, 1]") && m.contains("0.0"), m);
    m = error(CudaSettings.POOL_FRACTION_KEY, "most");
    assertTrue(m.contains("a number") && m.contains("'most'"), m);
    m = error(CudaSettings.CONCURRENT_TASKS_KEY, "0");
    assertTrue(m.contains("spark.sparkgpu.gpu.concurrentTasks") && m.contains("at least 1") && m.contains("0"), m);
    m = error(CudaSettings.CONCURRENT_TASKS_KEY, "two");
    assertTrue(m.contains("an integer") && m.contains("'two'"), m);
    m = error(CudaSettings.RESERVE_KEY, "-1g");
    assertTrue(m.contains("spark.sparkgpu.gpu.reserve") && m.contains("at least 0"), m);
    m = error(CudaSettings.RESERVE_KEY, "lots");
    assertTrue(m.contains("a size such as 640m") && m.contains("'lots'"), m);
    m = error(CudaSettings.RESOURCE_NAME_KEY, " ");
    assertTrue(m.contains("spark.sparkgpu.gpu.resourceName"), m);
  }
}
