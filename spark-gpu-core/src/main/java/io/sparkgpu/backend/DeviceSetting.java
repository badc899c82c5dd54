package io.sparkgpu.backend;

import java.util.Locale;

/** The {@code device} Param: where partitions train. */
public enum DeviceSetting {
  /** A GPU when the task has one, else the CPU. */
  AUTO,
  /** Always the CPU backend. */
  CPU,
  /** A GPU, or fail before any job says why not. */
  CUDA;

  public static DeviceSetting fromName(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown device '" + name + "': expected one of auto, cpu, cuda.", e);
    }
  }
}
