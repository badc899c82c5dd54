package io.sparkgpu.plugin;

import java.util.OptionalLong;

/**
 * The CPU backend's initializer: nothing to prepare (the CPU backend is stateless and shared), no device memory to
 * report. Always succeeds; the plugin's fallback.
 */
public final class CpuDeviceInitializer implements DeviceInitializer {
  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public DeviceSession open(String gpuAddress) {
    return new DeviceSession() {
      @Override
      public String backend() {
        return "cpu";
      }

      @Override
      public OptionalLong memoryUsedBytes() {
        return OptionalLong.empty();
      }

      @Override
      public OptionalLong memoryFreeBytes() {
        return OptionalLong.empty();
      }

      @Override
      public void close() {}
    };
  }
}
