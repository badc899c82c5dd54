package io.sparkgpu.train;

import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.backend.cuda.GpuMemoryExhaustedException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a partition's trainer is built when device memory runs short: memory pressure evicts, it does not fail the
 * fit. A first out-of-memory evicts the other fits' idle partitions from the same backend and retries; a second one
 * trains this partition on the CPU backend when the device setting is {@code auto}, and fails with the numbers and
 * the settings to change when it is {@code cuda}. Pure policy over the builder and cache it is given.
 */
public final class ResidentPlacement {
  private static final Logger LOG = LoggerFactory.getLogger(ResidentPlacement.class);

  private ResidentPlacement() {}

  /**
   * Builds with {@code builder} on {@code preferred}, evicting from {@code cache} and falling back to {@code cpu} as
   * described above.
   */
  public static PartitionTrainer build(ComputeBackend preferred, ComputeBackend cpu, DeviceSetting setting,
      ResidentDataCache cache, int partition, Function<ComputeBackend, PartitionTrainer> builder) {
    try {
      return builder.apply(preferred);
    } catch (GpuMemoryExhaustedException first) {
      long freed = cache.evictIdle(preferred);
      LOG.info("Partition {} does not fit {} ({}); evicted {} MiB of idle resident partitions and retrying",
          partition, preferred.name(), first.getMessage(), freed >> 20);
      try {
        return builder.apply(preferred);
      } catch (GpuMemoryExhaustedException second) {
        if (setting == DeviceSetting.CUDA) {
          throw new IllegalStateException("Partition " + partition + " does not fit " + preferred.name()
              + " even after evicting " + (freed >> 20) + " MiB: " + second.getMessage() + "; raise numWorkers "
              + "(smaller partitions), lower batchSize, or set device to 'auto' to train what does not fit on the "
              + "CPU", second);
        }
        LOG.warn("Partition {} does not fit {} even after evicting {} MiB ({}); training it on {} instead", partition,
            preferred.name(), freed >> 20, second.getMessage(), cpu.name());
        return builder.apply(cpu);
      }
    }
  }
}
