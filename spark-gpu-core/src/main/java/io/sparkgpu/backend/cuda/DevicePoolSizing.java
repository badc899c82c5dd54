package io.sparkgpu.backend.cuda;

/** The size of a device's memory pool, as a pure function of what the device reports; tested without a GPU. */
public final class DevicePoolSizing {
  /** Pools are whole multiples of 2 MiB, the granularity of large CUDA allocations. */
  public static final long ALIGNMENT = 2L << 20;

  private DevicePoolSizing() {}

  /**
   * {@code fraction} of the free memory, but never more than the free memory minus {@code reserveBytes}, rounded
   * down to {@link #ALIGNMENT}. Throws when that leaves nothing, naming the numbers and the settings to change.
   */
  public static long poolBytes(long freeBytes, double fraction, long reserveBytes) {
    if (freeBytes < 0 || reserveBytes < 0) {
      throw new IllegalArgumentException("Free memory and reserve must be at least 0 bytes but were " + freeBytes
          + " and " + reserveBytes);
    }
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException(CudaSettings.POOL_FRACTION_KEY + " must be in (0, 1] but was " + fraction);
    }
    long byFraction = (long) Math.floor(freeBytes * fraction);
    long byReserve = freeBytes - reserveBytes;
    long pool = Math.min(byFraction, byReserve);
    pool -= Math.floorMod(pool, ALIGNMENT);
    if (pool <= 0) {
      throw new IllegalStateException("No GPU memory pool fits: the device has " + mib(freeBytes) + " MiB free, "
          + "the pool may use a fraction of " + fraction + " of it and must leave " + mib(reserveBytes)
          + " MiB free, which leaves less than " + mib(ALIGNMENT) + " MiB; free memory on the GPU (other processes "
          + "or executors) or lower " + CudaSettings.RESERVE_KEY);
    }
    return pool;
  }

  static long mib(long bytes) {
    return bytes >> 20;
  }
}
