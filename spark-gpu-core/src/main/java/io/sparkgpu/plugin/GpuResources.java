package io.sparkgpu.plugin;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.resource.ResourceInformation;

/** Reads an executor's GPU address from the resources Spark assigned it. Pure. */
public final class GpuResources {
  /** Spark's resource name for GPUs ({@code spark.executor.resource.gpu.amount}). */
  public static final String GPU = "gpu";

  private GpuResources() {}

  /**
   * The executor's single GPU address, empty when it has none.
   *
   * @throws IllegalArgumentException when more than one GPU is assigned: spark-gpu uses one device per executor
   */
  public static Optional<String> singleAddress(Map<String, ResourceInformation> resources, String executorId) {
    ResourceInformation gpu = resources == null ? null : resources.get(GPU);
    if (gpu == null || gpu.addresses().length == 0) {
      return Optional.empty();
    }
    String[] addresses = gpu.addresses();
    if (addresses.length > 1) {
      throw new IllegalArgumentException("Executor " + executorId + " was assigned " + addresses.length + " GPUs "
          + Arrays.toString(addresses) + " but spark-gpu uses exactly one GPU per executor; set "
          + "spark.executor.resource.gpu.amount=1 (and run one executor per GPU)");
    }
    return Optional.of(addresses[0]);
  }
}
