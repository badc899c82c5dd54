package io.sparkgpu.train;

/** Derives independent, reproducible seeds from (fit seed, partition, epoch) with SplitMix64's finaliser. */
public final class SeedMixer {
  private SeedMixer() {}

  public static long mix(long seed, int partition, int epoch) {
    long z = seed;
    z = finalise(z + 0x9E3779B97F4A7C15L * (partition + 1L));
    z = finalise(z + 0x9E3779B97F4A7C15L * (epoch + 2L));
    return z;
  }

  private static long finalise(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
