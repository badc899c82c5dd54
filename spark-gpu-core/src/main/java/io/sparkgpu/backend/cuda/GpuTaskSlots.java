package io.sparkgpu.backend.cuda;

import io.sparkgpu.backend.BackendSelector;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-device semaphore that bounds how many trainers use one GPU at the same time (tasks sharing a GPU, task gpu
 * amount below 1). Owned by the device's {@link CudaBackend}; each {@link Slot} is owned by the task that acquired it
 * and closed (released) by that task, in try-with-resources.
 */
public final class GpuTaskSlots {
  private static final Logger LOG = LoggerFactory.getLogger(GpuTaskSlots.class);
  /** Waits at least this long are logged: they mean tasks queue for the GPU. */
  static final long LOG_WAIT_MILLIS = 1000;

  private final String device;
  private final int permits;
  private final Semaphore semaphore;

  public GpuTaskSlots(String device, int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException(CudaSettings.CONCURRENT_TASKS_KEY + " must be at least 1 but was " + permits);
    }
    this.device = device;
    this.permits = permits;
    this.semaphore = new Semaphore(permits, true);
  }

  /** Blocks until a slot is free. An interrupted wait (a killed task) throws and takes no slot. */
  public Slot acquire() {
    long t0 = System.nanoTime();
    try {
      semaphore.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for one of the " + permits + " task slots of "
          + device, e);
    }
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    if (waited >= LOG_WAIT_MILLIS) {
      LOG.info("Waited {} ms for one of the {} task slots of {} ({} sets how many trainers share a GPU)", waited,
          permits, device, CudaSettings.CONCURRENT_TASKS_KEY);
    }
    return new Slot();
  }

  public int permits() {
    return permits;
  }

  /** Slots free right now (for tests and metrics). */
  public int available() {
    return semaphore.availablePermits();
  }

  /** One task's hold on the GPU; closing it releases the slot once, further closes do nothing. */
  public final class Slot implements BackendSelector.DeviceSlot {
    private boolean released;

    private Slot() {}

    @Override
    public synchronized void close() {
      if (!released) {
        released = true;
        semaphore.release();
      }
    }
  }
}
