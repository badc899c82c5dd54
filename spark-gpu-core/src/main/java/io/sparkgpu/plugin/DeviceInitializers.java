package io.sparkgpu.plugin;

import java.util.List;

/**
 * The device initializers of this build, in the order the executor plugin tries them for an executor that has a
 * GPU. This is where a GPU backend plugs in.
 *
 * <p>The CUDA backend's initializer receives the executor's GPU address; its failures (no driver, no device,
 * missing {@code libcuda.so.1}) become the reason logged and reported to the driver while the executor falls back to
 * the CPU.
 */
public final class DeviceInitializers {
  private DeviceInitializers() {}

  /** Initializers for an executor with a GPU address, tried in order; the first that opens wins. */
  public static List<DeviceInitializer> gpuInitializers() {
    return List.of(new CudaDeviceInitializer());
  }

  /** The fallback, used when no GPU is assigned or none of {@link #gpuInitializers()} can open it. */
  public static DeviceInitializer cpu() {
    return new CpuDeviceInitializer();
  }
}
