package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.Settings;
import io.sparkgpu.testing.TrackingBackend;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidentDataCache}: trainers are built once per (fit, partition) and lent out; a busy entry gives a private
 * copy; releasing a fit and evicting free memory (seen through a {@link TrackingBackend}) but never a trainer in use.
 */
class ResidentDataCacheTest {
  private static final int ROWS = 10;
  private static final int D = 3;
  /** float32 features, label and weight per row. */
  private static final long BYTES = 4L * ROWS * (D + 2);

  private CpuBackend cpu;
  private TrackingBackend backend;
  private final AtomicInteger builds = new AtomicInteger();
  private int matricesPerTrainer;

  @BeforeEach
  void open() {
    cpu = new CpuBackend();
    backend = new TrackingBackend(cpu);
    PartitionTrainer probe = build();
    matricesPerTrainer = backend.openMatrices();
    probe.close();
    assertEquals(0, backend.openMatrices());
    assertTrue(matricesPerTrainer > 0);
    builds.set(0);
  }

  @AfterEach
  void close() {
    cpu.close();
  }

  private PartitionTrainer build() {
    builds.incrementAndGet();
    Random r = new Random(builds.get());
    float[] x = new float[ROWS * D];
    double[] y = new double[ROWS];
    double[] w = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) r.nextGaussian();
      }
      y[i] = r.nextGaussian();
      w[i] = 1;
    }
    NetworkSpec spec = NetworkSpec.linear(D, 1, Loss.SQUARED_ERROR);
    InputScaling scaling = InputScaling.identity(D);
    TrainingConfig config = Settings.create().batchSize(4).config(spec, scaling, new float[D + 1], new float[D + 1],
        true);
    ResidentPartition data = ResidentPartition.build(backend, List.of(HostBatch.dense(ROWS, D, x, y, w)), D, scaling,
        0, 1, 42, 0, 1L << 30);
    return new PartitionTrainer(config, data, 0, 1);
  }

  private final Supplier<PartitionTrainer> builder = this::build;

  /** Runs an epoch: fails with IllegalStateException if any of the trainer's matrices was freed. */
  private static void use(PartitionTrainer t) {
    PartitionUpdate u = t.trainEpoch(new EpochInput(1, new float[D + 1], new float[D + 1], 0));
    assertEquals(ROWS, u.rows());
  }

  @Test
  void theResidentBytesAreTheFloat32DataSize() {
    try (PartitionTrainer t = build()) {
      assertEquals(BYTES, t.data().bytes());
    }
  }

  @Test
  void aTrainerIsBuiltOnceAndReused() {
    ResidentDataCache cache = new ResidentDataCache(1L << 30);
    PartitionTrainer first;
    try (ResidentDataCache.Lease lease = cache.acquire("fit", 0, builder)) {
      assertFalse(lease.reused());
      first = lease.trainer();
      use(first);
    }
    assertEquals(1, builds.get());
    try (ResidentDataCache.Lease lease = cache.acquire("fit", 0, builder)) {
      assertTrue(lease.reused());
      assertSame(first, lease.trainer());
      use(lease.trainer());
    }
    assertEquals(1, builds.get(), "the second epoch must not rebuild");
    assertEquals(1, cache.size());
    assertEquals(BYTES, cache.residentBytes());
    assertEquals(matricesPerTrainer, backend.openMatrices(), "the cached trainer stays resident");
    try (ResidentDataCache.Lease other = cache.acquire("fit", 1, builder)) {
      assertNotSame(first, other.trainer(), "another partition has its own trainer");
    }
    cache.releaseFit("fit");
    assertEquals(0, backend.openMatrices());
  }

  @Test
  void anEntryInUseGivesAPrivateCopyFreedOnRelease() {
    ResidentDataCache cache = new ResidentDataCache(1L << 30);
    ResidentDataCache.Lease held = cache.acquire("fit", 0, builder);
    try (ResidentDataCache.Lease second = cache.acquire("fit", 0, builder)) {
      assertEquals(2, builds.get());
      assertNotSame(held.trainer(), second.trainer());
      assertFalse(second.reused());
      use(second.trainer());
      assertEquals(2 * matricesPerTrainer, backend.openMatrices());
    }
    assertEquals(matricesPerTrainer, backend.openMatrices(), "the private copy is freed when its lease closes");
    assertEquals(1, cache.size());
    use(held.trainer());
    PartitionTrainer cached = held.trainer();
    held.close();
    try (ResidentDataCache.Lease again = cache.acquire("fit", 0, builder)) {
      assertTrue(again.reused());
      assertSame(cached, again.trainer());
    }
    cache.releaseFit("fit");
    assertEquals(0, backend.openMatrices());
  }

  @Test
  void releaseFitFreesIdleEntriesAtOnceAndBusyOnesOnReturn() {
    ResidentDataCache cache = new ResidentDataCache(1L << 30);
    cache.acquire("a", 0, builder).close();
    ResidentDataCache.Lease busy = cache.acquire("a", 1, builder);
    cache.acquire("b", 0, builder).close();
    assertEquals(3 * matricesPerTrainer, backend.openMatrices());

    cache.releaseFit("a");
    assertEquals(2 * matricesPerTrainer, backend.openMatrices(), "a/0 is freed, a/1 is still in use");
    use(busy.trainer());
    busy.close();
    assertEquals(matricesPerTrainer, backend.openMatrices(), "a/1 is freed when its task returns it");
    assertEquals(1, cache.size(), "only fit b remains");

    int before = builds.get();
    try (ResidentDataCache.Lease lease = cache.acquire("b", 0, builder)) {
      assertTrue(lease.reused(), "another fit's entries are untouched");
    }
    try (ResidentDataCache.Lease lease = cache.acquire("a", 0, builder)) {
      assertFalse(lease.reused(), "a released fit is built again");
    }
    assertEquals(before + 1, builds.get());
    cache.releaseFit("a");
    cache.releaseFit("b");
    assertEquals(0, backend.openMatrices());
    assertEquals(0, cache.size());
  }

  @Test
  void theLeastRecentlyUsedIdleEntryIsEvictedOverTheLimit() {
    ResidentDataCache cache = new ResidentDataCache(BYTES * 9 / 4); // room for two
    cache.acquire("fit", 0, builder).close();
    cache.acquire("fit", 1, builder).close();
    cache.acquire("fit", 0, builder).close(); // partition 0 is now the more recently used
    assertEquals(2, cache.size());
    ResidentDataCache.Lease third = cache.acquire("fit", 2, builder);
    assertEquals(2, cache.size(), "one entry was evicted");
    assertEquals(2 * BYTES, cache.residentBytes());
    assertEquals(2 * matricesPerTrainer, backend.openMatrices(), "the evicted trainer was freed");
    third.close();
    try (ResidentDataCache.Lease p0 = cache.acquire("fit", 0, builder)) {
      assertTrue(p0.reused(), "partition 0 was used more recently than partition 1");
    }
    int before = builds.get();
    try (ResidentDataCache.Lease p1 = cache.acquire("fit", 1, builder)) {
      assertFalse(p1.reused(), "partition 1 was evicted");
    }
    assertEquals(before + 1, builds.get());
    cache.releaseFit("fit");
    assertEquals(0, backend.openMatrices());
  }

  @Test
  void anEntryInUseIsNeverEvicted() {
    ResidentDataCache cache = new ResidentDataCache(BYTES * 5 / 4); // room for one
    ResidentDataCache.Lease a = cache.acquire("fit", 0, builder);
    ResidentDataCache.Lease b = cache.acquire("fit", 1, builder);
    assertEquals(2, cache.size(), "both are in use: over the limit, but nothing may be evicted");
    assertEquals(2 * matricesPerTrainer, backend.openMatrices());
    use(a.trainer());
    use(b.trainer());
    b.close();
    assertEquals(1, cache.size(), "once returned, b is the only idle entry and goes");
    use(a.trainer());
    PartitionTrainer kept = a.trainer();
    a.close();
    assertEquals(1, cache.size(), "a alone fits the limit");
    try (ResidentDataCache.Lease again = cache.acquire("fit", 0, builder)) {
      assertSame(kept, again.trainer());
    }
    cache.releaseFit("fit");
    assertEquals(0, backend.openMatrices());
    assertThrows(IllegalStateException.class, () -> use(kept), "a released trainer's memory is gone");
  }
}
