package io.sparkgpu.backend.cuda;

/**
 * The byte accounting of one device's memory pool: every device allocation of a {@link CudaBackend} reserves its
 * bytes here first and releases them when freed, so the backend never holds more than the pool size. Thread-safe;
 * owns no memory itself.
 */
final class DeviceMemoryBudget {
  private final String device;
  private final long limitBytes;
  private long usedBytes;

  DeviceMemoryBudget(String device, long limitBytes) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("A memory pool of " + limitBytes + " bytes");
    }
    this.device = device;
    this.limitBytes = limitBytes;
  }

  /** Takes {@code bytes} from the pool, or throws {@link GpuMemoryExhaustedException} saying what did not fit. */
  synchronized void reserve(long bytes, String what) {
    if (bytes < 0) {
      throw new IllegalArgumentException("Cannot reserve " + bytes + " bytes");
    }
    if (bytes > limitBytes - usedBytes) {
      throw new GpuMemoryExhaustedException(device + ": cannot allocate " + mibText(bytes) + " for " + what + ": "
          + mibText(usedBytes) + " of the " + mibText(limitBytes) + " pool are in use; lower the batch size "
          + "(maxBatchBytes) or the data per task (more partitions), or raise " + CudaSettings.POOL_FRACTION_KEY,
          bytes);
    }
    usedBytes += bytes;
  }

  synchronized void release(long bytes) {
    if (bytes < 0 || bytes > usedBytes) {
      throw new IllegalStateException(device + ": releasing " + bytes + " bytes but only " + usedBytes
          + " are reserved");
    }
    usedBytes -= bytes;
  }

  synchronized long usedBytes() {
    return usedBytes;
  }

  long limitBytes() {
    return limitBytes;
  }

  /** MiB with one decimal, so that small allocations do not read as 0. */
  static String mibText(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
  }
}
