package io.sparkgpu.plugin;

import io.sparkgpu.backend.cuda.CudaAvailability;
import io.sparkgpu.backend.cuda.CudaBackend;
import io.sparkgpu.backend.cuda.CudaDevices;
import io.sparkgpu.backend.cuda.CudaProbe;
import io.sparkgpu.backend.cuda.CudaSettings;
import io.sparkgpu.backend.cuda.GpuAssignment;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.spark.SparkEnv;

/**
 * Prepares an executor's GPU for the CUDA backend at start-up: probes the driver, maps the Spark resource address to
 * a device ordinal, and opens the device (context, memory pool) through {@link CudaDevices}, which owns it until the
 * JVM exits and hands the same backend to the tasks. The session it returns owns nothing, so closing it leaves the
 * device to its owner. Any failure (no driver, no device, a bad address) is thrown with its reason; the plugin then
 * reports it and falls back to the CPU.
 */
final class CudaDeviceInitializer implements DeviceInitializer {
  private final Supplier<CudaAvailability> probe;

  CudaDeviceInitializer() {
    this(CudaProbe::availability);
  }

  CudaDeviceInitializer(Supplier<CudaAvailability> probe) {
    this.probe = probe;
  }

  @Override
  public String name() {
    return "cuda";
  }

  private static CudaSettings settings() {
    SparkEnv env = SparkEnv.get();
    return env == null ? CudaSettings.defaults() : CudaSettings.parse(key -> env.conf().get(key, null));
  }

  @Override
  public DeviceSession open(String gpuAddress) {
    CudaAvailability cuda = probe.get();
    if (!cuda.usable()) {
      throw new IllegalStateException(cuda.reasonUnusable());
    }
    CudaSettings settings = settings();
    int address = GpuAssignment.parseAddresses(settings.resourceName(), new String[] {gpuAddress}).get(0);
    int ordinal = GpuAssignment.ordinalForAddress(address, cuda.deviceCount());
    CudaBackend backend = CudaDevices.global().backend(ordinal, settings);
    return new DeviceSession() {
      @Override
      public String backend() {
        return backend.name();
      }

      @Override
      public OptionalLong memoryUsedBytes() {
        return OptionalLong.of(backend.poolUsedBytes());
      }

      @Override
      public OptionalLong memoryFreeBytes() {
        return OptionalLong.of(Math.max(0, backend.poolLimitBytes() - backend.poolUsedBytes()));
      }

      @Override
      public void close() {
        // CudaDevices owns the backend; tasks keep using it until the JVM exits.
      }
    };
  }
}
