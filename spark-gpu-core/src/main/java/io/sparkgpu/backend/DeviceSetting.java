package io.sparkgpu.backend;

import java.util.Locale;

/** The {@code device} Param: where partitions train. */
public enum DeviceSetting {
  /** A GPU when the task has one, else the CPU. */
  AUTO,
  /** Always the CPU backend. */
  CPU,
  /** A GPU, or fail before any job, saying why not and which setting to change. */
  CUDA;

  /** The value as users write it: {@code auto}, {@code cpu} or {@code cuda}. */
  public String paramValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeviceSetting fromName(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown device '" + name + "': expected one of auto, cpu, cuda.", e);
    }
  }
}
