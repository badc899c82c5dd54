package io.sparkgpu.backend;

import java.util.Optional;

/**
 * Which device this JVM's executor was given and prepared at start-up, as recorded by the Spark plugin
 * ({@code io.sparkgpu.plugin.SparkGpuPlugin}); the training code queries it to pick a task's backend. Empty when the
 * plugin is not enabled (the trainer then decides lazily, per task). One entry per JVM: an executor, or the driver
 * in local mode. Holds values only; the plugin owns the device itself and clears the entry when it shuts down.
 */
public final class ExecutorDevices {
  private static volatile Assignment current;

  private ExecutorDevices() {}

  /**
   * What the plugin decided for one executor.
   *
   * @param executorId Spark's executor id ({@code driver} in local mode)
   * @param gpuAddress the address of the executor's "gpu" resource, or null when none was assigned
   * @param backend the backend the plugin prepared: {@code cpu}, or e.g. {@code cuda:0}
   * @param note why the backend is what it is, for logs and errors (e.g. "GPU 0 assigned but ...")
   */
  public record Assignment(String executorId, String gpuAddress, String backend, String note) {
    public Optional<String> gpu() {
      return Optional.ofNullable(gpuAddress);
    }
  }

  /** This JVM's assignment, if the plugin made one. */
  public static Optional<Assignment> current() {
    return Optional.ofNullable(current);
  }

  /** Records this JVM's assignment (the plugin, at executor start-up). */
  public static synchronized void register(Assignment assignment) {
    current = assignment;
  }

  /** Removes {@code assignment} if it is still the current one (the plugin, at shutdown). */
  public static synchronized void clear(Assignment assignment) {
    if (current == assignment) {
      current = null;
    }
  }
}
