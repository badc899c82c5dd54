package io.sparkgpu.plugin;

/**
 * The seam between the plugin and a compute backend: prepares an executor's device once at start-up. A GPU backend
 * implements it (set the device, force context creation, size the memory pool, compile kernels) and is listed in
 * {@link DeviceInitializers#gpuInitializers()}; the CPU implementation is {@link CpuDeviceInitializer}.
 */
public interface DeviceInitializer {

  /** A short name for logs: {@code cpu}, {@code cuda}. */
  String name();

  /**
   * Prepares the device with Spark resource address {@code gpuAddress} (null for the CPU initializer). The caller
   * owns and closes the returned session.
   *
   * @throws RuntimeException or {@link LinkageError} (a missing native library) when the device cannot be used; the
   *     message says why, and the plugin falls back to the CPU
   */
  DeviceSession open(String gpuAddress);
}
