package io.sparkgpu.backend.cuda;

/**
 * Whether this process can use CUDA, as found by {@link CudaProbe}: the number of visible devices, the driver's CUDA
 * version (e.g. 12040 for 12.4) and a description, which is the reason when {@code usable} is false. A plain value.
 */
public record CudaAvailability(boolean usable, int deviceCount, int driverVersion, String description) {

  static CudaAvailability unusable(String reason) {
    return new CudaAvailability(false, 0, 0, reason);
  }

  /** The reason no GPU can be used, or null when one can. */
  public String reasonUnusable() {
    return usable ? null : description;
  }
}
