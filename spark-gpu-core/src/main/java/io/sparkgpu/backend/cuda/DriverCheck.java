package io.sparkgpu.backend.cuda;

import io.sparkgpu.backend.DeviceSetting;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The check made on the driver before any job for {@code device=cuda}: in local mode the tasks run in this JVM, so
 * this JVM must be able to use CUDA; on a cluster, tasks must be given GPUs (executors' and tasks' GPU amounts set).
 * Pure: reads the configuration through a function and the probe through a supplier.
 */
public final class DriverCheck {
  private DriverCheck() {}

  /** True for {@code local}, {@code local[4]}, {@code local[*]}, {@code local[4,2]}; false for local-cluster. */
  public static boolean isLocalMaster(String master) {
    return master == null || master.equals("local") || master.startsWith("local[");
  }

  /**
   * Throws {@link IllegalArgumentException} when {@code setting} is {@code cuda} and no task could use a GPU.
   *
   * @param conf a configuration value, or null when unset ({@code spark.master} null means no Spark: local)
   */
  public static void check(DeviceSetting setting, Function<String, String> conf,
      Supplier<CudaAvailability> availability) {
    if (setting != DeviceSetting.CUDA) {
      return;
    }
    String master = conf.apply("spark.master");
    if (isLocalMaster(master)) {
      CudaAvailability cuda = availability.get();
      if (!cuda.usable()) {
        throw new IllegalArgumentException("device=cuda was requested but no usable GPU is available on this host: "
            + cuda.description() + ". Set device to 'auto' (train on the CPU when no GPU is usable) or 'cpu'.");
      }
      return;
    }
    String resource = CudaSettings.parse(conf).resourceName();
    String executorKey = "spark.executor.resource." + resource + ".amount";
    String taskKey = "spark.task.resource." + resource + ".amount";
    String executorAmount = conf.apply(executorKey);
    String taskAmount = conf.apply(taskKey);
    if (!positive(executorAmount) || !positive(taskAmount)) {
      throw new IllegalArgumentException("device=cuda was requested but tasks get no GPU on master " + master + ": "
          + executorKey + " is " + executorAmount + " and " + taskKey + " is " + taskAmount
          + " (expected both above 0). Set both (with a GPU discovery script), or set device to 'auto' or 'cpu'.");
    }
  }

  private static boolean positive(String amount) {
    if (amount == null) {
      return false;
    }
    try {
      return Double.parseDouble(amount.trim()) > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
