package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.backend.cuda.GpuMemoryExhaustedException;
import io.sparkgpu.testing.Settings;
import io.sparkgpu.testing.TrackingBackend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidentPlacement}: device memory pressure evicts idle partitions of the same device and retries; what still
 * does not fit trains on the CPU under {@code auto} and fails with the settings to change under {@code cuda}. The
 * "device" is a tracked CPU backend whose builder is made to run out of memory.
 */
class ResidentPlacementTest {
  private static final int D = 2;

  private static PartitionTrainer trainerOn(ComputeBackend backend) {
    float[] x = {1, 2, 3, 4};
    HostBatch batch = HostBatch.dense(2, D, x, new double[] {1, 0}, new double[] {1, 1});
    NetworkSpec spec = NetworkSpec.linear(D, 1, Loss.SQUARED_ERROR);
    InputScaling scaling = InputScaling.identity(D);
    TrainingConfig config = Settings.create().config(spec, scaling, new float[D + 1], new float[D + 1], true);
    return new PartitionTrainer(config, ResidentPartition.build(backend, List.of(batch), D, scaling, 0, 1, 1, 0,
        1L << 20), 0, 1);
  }

  @Test
  void anOutOfMemoryEvictsIdlePartitionsOfThatDeviceAndRetries() {
    TrackingBackend device = new TrackingBackend(new CpuBackend());
    TrackingBackend other = new TrackingBackend(new CpuBackend());
    ResidentDataCache cache = new ResidentDataCache(Long.MAX_VALUE);
    cache.acquire("old-fit", 0, () -> trainerOn(device)).close(); // idle, on the device
    cache.acquire("other-fit", 0, () -> trainerOn(other)).close(); // idle, elsewhere
    int deviceMatrices = device.openMatrices();
    assertTrue(deviceMatrices > 0);
    AtomicInteger attempts = new AtomicInteger();
    PartitionTrainer t = ResidentPlacement.build(device, new CpuBackend(), DeviceSetting.AUTO, cache, 3, on -> {
      if (attempts.incrementAndGet() == 1) {
        throw new GpuMemoryExhaustedException("cuda:0: cannot allocate 10 MiB", 10L << 20);
      }
      return trainerOn(on);
    });
    assertEquals(2, attempts.get());
    assertSame(device, t.data().backend(), "the retry succeeds on the device");
    assertEquals(1, cache.size(), "only the other device's partition stays cached");
    assertEquals(deviceMatrices, device.openMatrices(), "the evicted partition was freed, the new one holds as much");
    t.close();
  }

  @Test
  void whatStillDoesNotFitTrainsOnTheCpuUnderAuto() {
    TrackingBackend device = new TrackingBackend(new CpuBackend());
    CpuBackend cpu = new CpuBackend();
    PartitionTrainer t = ResidentPlacement.build(device, cpu, DeviceSetting.AUTO, new ResidentDataCache(1L << 30),
        0, on -> {
          if (on == device) {
            throw new GpuMemoryExhaustedException("cuda:0: cannot allocate 1 GiB", 1L << 30);
          }
          return trainerOn(on);
        });
    assertSame(cpu, t.data().backend());
    t.close();
  }

  @Test
  void whatStillDoesNotFitFailsUnderCudaWithTheNumbersAndTheSettings() {
    TrackingBackend device = new TrackingBackend(new CpuBackend());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ResidentPlacement.build(device,
        new CpuBackend(), DeviceSetting.CUDA, new ResidentDataCache(1L << 30), 7, on -> {
          throw new GpuMemoryExhaustedException("cuda:0: cannot allocate 1024 MiB for features", 1L << 30);
        }));
    assertTrue(e.getMessage().contains("Partition 7") && e.getMessage().contains("1024 MiB")
        && e.getMessage().contains("numWorkers") && e.getMessage().contains("device"), e.getMessage());
  }
}
