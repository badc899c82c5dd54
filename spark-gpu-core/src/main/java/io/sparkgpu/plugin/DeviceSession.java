package io.sparkgpu.plugin;

import java.util.OptionalLong;

/**
 * A device prepared for one executor by a {@link DeviceInitializer}: for a GPU, its context, memory pool and
 * compiled kernels; for the CPU, nothing. Owned by the executor side of the plugin, which closes it at shutdown after
 * every resident partition has been freed.
 */
public interface DeviceSession extends AutoCloseable {

  /** The backend's name as the trainer reports it: {@code cpu}, {@code cuda:0}. */
  String backend();

  /**
   * Device memory in use, in bytes; empty when the backend has no device memory (the CPU). Called from Spark's
   * metrics thread at any time, also after {@link #close} (then empty).
   */
  OptionalLong memoryUsedBytes();

  /** Device memory free, in bytes; empty when the backend has no device memory (the CPU). As thread-safe. */
  OptionalLong memoryFreeBytes();

  @Override
  void close();
}
