package io.sparkgpu.backend.cuda;

import io.sparkgpu.backend.DeviceSetting;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where one task trains, decided by a pure function of the {@code device} setting, what the task was given and what
 * the probe found: a CUDA device ordinal, or -1 for the CPU, with the reason in words for the log. A plain value.
 */
public record DeviceDecision(int ordinal, String reason) {

  public boolean usesCuda() {
    return ordinal >= 0;
  }

  /**
   * Decides for a task. With {@code device=cuda} every case that would train on the CPU throws instead, saying why
   * and which setting to change.
   *
   * @param localMode Spark runs in one JVM (master {@code local[...]}), where tasks get no resources
   * @param addresses the addresses of the task's {@code resourceName} resource, null or empty when it has none
   * @param partitionId the task's partition, which picks the device in local mode
   * @param availability the probe, asked only when a GPU could be used
   */
  public static DeviceDecision decide(DeviceSetting setting, boolean localMode, String resourceName,
      String[] addresses, int partitionId, Supplier<CudaAvailability> availability) {
    if (setting == DeviceSetting.CPU) {
      return new DeviceDecision(-1, "device=cpu");
    }
    CudaAvailability cuda = availability.get();
    if (!cuda.usable()) {
      return cpuOrFail(setting, "no usable GPU: " + cuda.description());
    }
    List<Integer> assigned = GpuAssignment.parseAddresses(resourceName, addresses);
    if (!assigned.isEmpty()) {
      int address = assigned.get(0);
      int ordinal = GpuAssignment.ordinalForAddress(address, cuda.deviceCount());
      String reason = "the task's '" + resourceName + "' resource address " + address
          + (ordinal != address ? " (seen by this process as device " + ordinal + ")" : "")
          + (assigned.size() > 1 ? "; addresses " + assigned.subList(1, assigned.size())
              + " stay unused: one trainer uses one GPU" : "");
      return new DeviceDecision(ordinal, reason);
    }
    if (localMode) {
      int ordinal = GpuAssignment.localDevice(partitionId, cuda.deviceCount());
      return new DeviceDecision(ordinal, "local mode: partition id modulo " + cuda.deviceCount()
          + " visible GPU(s)");
    }
    return cpuOrFail(setting, "the task has no '" + resourceName + "' resource assigned (set spark.executor.resource."
        + resourceName + ".amount and spark.task.resource." + resourceName + ".amount, with a discovery script, to "
        + "give tasks GPUs)");
  }

  private static DeviceDecision cpuOrFail(DeviceSetting setting, String reason) {
    if (setting == DeviceSetting.CUDA) {
      throw new IllegalStateException("device=cuda was requested but this task cannot use a GPU: " + reason
          + ". Set device to 'auto' to train on the CPU when no GPU is usable, or to 'cpu'.");
    }
    return new DeviceDecision(-1, reason);
  }
}
