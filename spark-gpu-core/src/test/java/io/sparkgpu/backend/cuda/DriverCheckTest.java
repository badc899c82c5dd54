package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.DeviceSetting;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DriverCheckTest {
  private static final Supplier<CudaAvailability> NONE =
      () -> CudaAvailability.unusable("no CUDA device is visible to this process");
  private static final Supplier<CudaAvailability> ONE = () -> new CudaAvailability(true, 1, 12040, "1 device");
  private static final Supplier<CudaAvailability> NOT_ASKED = () -> {
    throw new AssertionError("probed");
  };

  @Test
  void localMasters() {
    assertTrue(DriverCheck.isLocalMaster(null));
    assertTrue(DriverCheck.isLocalMaster("local"));
    assertTrue(DriverCheck.isLocalMaster("local[4]"));
    assertTrue(DriverCheck.isLocalMaster("local[*]"));
    assertTrue(DriverCheck.isLocalMaster("local[4,2]"));
    assertFalse(DriverCheck.isLocalMaster("local-cluster[2,1,1024]"));
    assertFalse(DriverCheck.isLocalMaster("spark://127.0.0.1:7077"));
    assertFalse(DriverCheck.isLocalMaster("yarn"));
  }

  @Test
  void onlyCudaIsChecked() {
    assertDoesNotThrow(() -> DriverCheck.check(DeviceSetting.AUTO, key -> null, NOT_ASKED));
    assertDoesNotThrow(() -> DriverCheck.check(DeviceSetting.CPU, key -> null, NOT_ASKED));
  }

  @Test
  void localModeNeedsAUsableGpuInThisJvm() {
    Map<String, String> conf = Map.of("spark.master", "local[2]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DriverCheck.check(DeviceSetting.CUDA, conf::get, NONE));
    String m = e.getMessage();
    assertTrue(m.startsWith("device=cuda was requested but no usable GPU is available on this host: "
        + "no CUDA device is visible"), m);
    assertTrue(m.contains("Set device to 'auto'") && m.contains("'cpu'"), m);
    assertDoesNotThrow(() -> DriverCheck.check(DeviceSetting.CUDA, conf::get, ONE));
    assertDoesNotThrow(() -> DriverCheck.check(DeviceSetting.CUDA, key -> null, ONE), "no Spark: local");
  }

  @Test
  void aClusterNeedsGpuAmountsForExecutorsAndTasks() {
    Map<String, String> conf = new HashMap<>();
    conf.put("spark.master", "spark://10.0.0.1:7077");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DriverCheck.check(DeviceSetting.CUDA, conf::get, NOT_ASKED));
    String m = e.getMessage();
    assertTrue(m.contains("spark.executor.resource.gpu.amount is null")
        && m.contains("spark.task.resource.gpu.amount is null") && m.contains("expected both above 0")
        && m.contains("set device to 'auto' or 'cpu'"), m);
    conf.put("spark.executor.resource.gpu.amount", "1");
    conf.put("spark.task.resource.gpu.amount", "0");
    assertThrows(IllegalArgumentException.class, () -> DriverCheck.check(DeviceSetting.CUDA, conf::get, NOT_ASKED));
    conf.put("spark.task.resource.gpu.amount", "0.25");
    assertDoesNotThrow(() -> DriverCheck.check(DeviceSetting.CUDA, conf::get, NOT_ASKED),
        "the driver cannot probe executors' GPUs; the tasks check");
  }

  @Test
  void aCustomResourceNameIsTheOneChecked() {
    Map<String, String> conf = new HashMap<>();
    conf.put("spark.master", "yarn");
    conf.put(CudaSettings.RESOURCE_NAME_KEY, "nvidia.com/gpu");
    conf.put("spark.executor.resource.gpu.amount", "1");
    conf.put("spark.task.resource.gpu.amount", "1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DriverCheck.check(DeviceSetting.CUDA, conf::get, NOT_ASKED));
    assertTrue(e.getMessage().contains("spark.executor.resource.nvidia.com/gpu.amount"), e.getMessage());
    conf.put("spark.executor.resource.nvidia.com/gpu.amount", "1");
    conf.put("spark.task.resource.nvidia.com/gpu.amount", "1");
    assertDoesNotThrow(() -> DriverCheck.check(DeviceSetting.CUDA, conf::get, NOT_ASKED));
  }
}
