package io.sparkgpu.backend.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which CUDA device a task uses, as pure functions of what Spark and the driver report: the addresses of the task's
 * GPU resource, or in local mode (where Spark assigns no resources) the partition id modulo the visible devices.
 */
public final class GpuAssignment {
  private GpuAssignment() {}

  /**
   * The device ordinals named by a task's resource addresses, in Spark's order; empty when the task has none. Spark
   * reports GPU addresses as the strings its discovery script printed, which must be ordinals such as "0".
   */
  public static List<Integer> parseAddresses(String resourceName, String[] addresses) {
    if (addresses == null || addresses.length == 0) {
      return Collections.emptyList();
    }
    List<Integer> ordinals = new ArrayList<>(addresses.length);
    for (String a : addresses) {
      String s = a == null ? "" : a.trim();
      if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("The task's '" + resourceName + "' resource has address '" + a
            + "', expected a CUDA device ordinal such as 0 or 1: make the GPU discovery script print ordinals, or set "
            + CudaSettings.RESOURCE_NAME_KEY + " to the resource that holds them");
      }
      ordinals.add(Integer.parseInt(s));
    }
    return ordinals;
  }

  /** Local mode: partitions spread over the visible devices, partition id modulo their count. */
  public static int localDevice(int partitionId, int visibleDevices) {
    if (visibleDevices < 1) {
      throw new IllegalArgumentException("No visible CUDA device to place partition " + partitionId + " on");
    }
    return Math.floorMod(partitionId, visibleDevices);
  }

  /**
   * The ordinal for a resource address. Spark's addresses are the host's device numbers; when the cluster manager
   * isolates GPUs (CUDA_VISIBLE_DEVICES set to the one assigned), the process sees that GPU as device 0.
   */
  public static int ordinalForAddress(int address, int visibleDevices) {
    if (address >= 0 && address < visibleDevices) {
      return address;
    }
    if (visibleDevices == 1) {
      return 0;
    }
    throw new IllegalArgumentException("The task was assigned GPU address " + address + " but this process sees "
        + visibleDevices + " CUDA device(s) (ordinals 0 to " + (visibleDevices - 1) + "; CUDA_VISIBLE_DEVICES="
        + System.getenv("CUDA_VISIBLE_DEVICES") + "): make the discovery script and CUDA_VISIBLE_DEVICES agree");
  }
}
