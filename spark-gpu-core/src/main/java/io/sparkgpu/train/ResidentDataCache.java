package io.sparkgpu.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-wide cache that keeps each partition's {@link PartitionTrainer} (and so its resident data) between
 * epochs, keyed by (fit id, partition). Owns the trainers it holds and closes them when a fit releases them or when
 * they are evicted, least recently used first, to stay under its byte limit; a trainer in use is never evicted.
 * A task that finds its entry in use (speculation, a retried attempt) gets a private trainer closed on release.
 */
public final class ResidentDataCache {
  private static final Logger LOG = LoggerFactory.getLogger(ResidentDataCache.class);
  private static final ResidentDataCache GLOBAL = new ResidentDataCache(defaultLimitBytes());

  private record Key(String fitId, int partition) {}

  private static final class Entry {
    final PartitionTrainer trainer;
    boolean inUse;
    boolean released;

    Entry(PartitionTrainer trainer) {
      this.trainer = trainer;
    }
  }

  private volatile long limitBytes;
  private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  public ResidentDataCache(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** Half of this JVM's maximum heap: CPU-resident data lives on the heap. */
  static long defaultLimitBytes() {
    return Runtime.getRuntime().maxMemory() / 2;
  }

  public static ResidentDataCache global() {
    return GLOBAL;
  }

  /** The most bytes of resident data kept by trainers not in use; more is evicted. */
  public long limitBytes() {
    return limitBytes;
  }

  /**
   * Changes the limit (the Spark plugin applies {@code spark.sparkgpu.residentCache.maxBytes}); evicts at once what
   * no longer fits.
   */
  public void setLimitBytes(long limitBytes) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("The resident data limit must be >= 0 bytes but was " + limitBytes);
    }
    List<PartitionTrainer> evicted;
    synchronized (this) {
      this.limitBytes = limitBytes;
      evicted = evictOverLimit();
    }
    closeAll(evicted);
  }

  /** A trainer lent to one task; closing the lease returns it to the cache (or frees a private one). */
  public final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private final boolean cached;
    private final boolean reused;

    private Lease(Key key, Entry entry, boolean cached, boolean reused) {
      this.key = key;
      this.entry = entry;
      this.cached = cached;
      this.reused = reused;
    }

    public PartitionTrainer trainer() {
      return entry.trainer;
    }

    /** True when the data was already resident (built by an earlier epoch). */
    public boolean reused() {
      return reused;
    }

    @Override
    public void close() {
      if (!cached) {
        entry.trainer.close();
        return;
      }
      release(key, entry);
    }
  }

  /** The cached trainer of (fitId, partition), building it with {@code builder} on a miss. */
  public Lease acquire(String fitId, int partition, Supplier<PartitionTrainer> builder) {
    Key key = new Key(fitId, partition);
    synchronized (this) {
      Entry e = entries.get(key);
      if (e != null && !e.inUse) {
        e.inUse = true;
        return new Lease(key, e, true, true);
      }
      if (e != null) {
        LOG.info("Partition {} of fit {} is in use by another task; building a private copy", partition, fitId);
        return new Lease(key, new Entry(builder.get()), false, false);
      }
    }
    Entry built = new Entry(builder.get()); // outside the lock: building reads and uploads a whole partition
    List<PartitionTrainer> evicted;
    synchronized (this) {
      if (entries.containsKey(key)) {
        return new Lease(key, built, false, false);
      }
      built.inUse = true;
      entries.put(key, built);
      LOG.info("Partition {} of fit {} resident on {}: {} rows, {} MiB ({} layout)", partition, fitId,
          built.trainer.data().backend().name(), built.trainer.data().rows(),
          built.trainer.data().bytes() >> 20, built.trainer.data().layout());
      evicted = evictOverLimit();
    }
    closeAll(evicted);
    return new Lease(key, built, true, false);
  }

  private void release(Key key, Entry entry) {
    List<PartitionTrainer> toClose = new ArrayList<>();
    synchronized (this) {
      entry.inUse = false;
      if (entry.released) {
        entries.remove(key, entry);
        toClose.add(entry.trainer);
      }
      toClose.addAll(evictOverLimit());
    }
    closeAll(toClose);
  }

  /** Frees every partition of {@code fitId} held here (those in use are freed when their task returns them). */
  public void releaseFit(String fitId) {
    List<PartitionTrainer> toClose = new ArrayList<>();
    synchronized (this) {
      Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Key, Entry> e = it.next();
        if (e.getKey().fitId().equals(fitId)) {
          if (e.getValue().inUse) {
            e.getValue().released = true;
          } else {
            toClose.add(e.getValue().trainer);
            it.remove();
          }
        }
      }
    }
    closeAll(toClose);
  }

  /**
   * Closes every idle partition resident on {@code backend} (device memory is short) and returns the bytes freed.
   * Partitions in use stay.
   */
  public long evictIdle(io.sparkgpu.backend.ComputeBackend backend) {
    List<PartitionTrainer> toClose = new ArrayList<>();
    long freed = 0;
    synchronized (this) {
      Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
      while (it.hasNext()) {
        Entry e = it.next().getValue();
        if (!e.inUse && e.trainer.data().backend() == backend) {
          freed += e.trainer.data().bytes();
          toClose.add(e.trainer);
          it.remove();
        }
      }
    }
    closeAll(toClose);
    return freed;
  }

  /**
   * Frees every partition of every fit held here (those in use are freed when their task returns them), for
   * executor shutdown. Returns how many were freed now; throws the first failure to free one, others suppressed.
   */
  public int releaseAll() {
    List<PartitionTrainer> toClose = new ArrayList<>();
    synchronized (this) {
      Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
      while (it.hasNext()) {
        Entry e = it.next().getValue();
        if (e.inUse) {
          e.released = true;
        } else {
          toClose.add(e.trainer);
          it.remove();
        }
      }
    }
    PartitionTrainer.closeEach(toClose);
    return toClose.size();
  }

  /** Bytes of resident data held. */
  public synchronized long residentBytes() {
    long total = 0;
    for (Entry e : entries.values()) {
      total += e.trainer.data().bytes();
    }
    return total;
  }

  public synchronized int size() {
    return entries.size();
  }

  private List<PartitionTrainer> evictOverLimit() {
    List<PartitionTrainer> evicted = new ArrayList<>();
    long total = residentBytes();
    Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
    while (total > limitBytes && it.hasNext()) {
      Map.Entry<Key, Entry> e = it.next();
      if (!e.getValue().inUse) {
        total -= e.getValue().trainer.data().bytes();
        LOG.info("Evicting partition {} of fit {} ({} MiB) to stay under the resident limit of {} MiB",
            e.getKey().partition(), e.getKey().fitId(), e.getValue().trainer.data().bytes() >> 20,
            limitBytes >> 20);
        evicted.add(e.getValue().trainer);
        it.remove();
      }
    }
    return evicted;
  }

  private static void closeAll(List<PartitionTrainer> trainers) {
    for (PartitionTrainer t : trainers) {
      try {
        t.close();
      } catch (RuntimeException e) {
        LOG.warn("Could not free a resident partition", e);
      }
    }
  }
}
