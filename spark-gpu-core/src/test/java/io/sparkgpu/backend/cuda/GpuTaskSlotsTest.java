package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GpuTaskSlotsTest {

  @Test
  void boundsConcurrentHoldersAndReleasesOnClose() throws Exception {
    GpuTaskSlots slots = new GpuTaskSlots("cuda:0", 2);
    GpuTaskSlots.Slot a = slots.acquire();
    GpuTaskSlots.Slot b = slots.acquire();
    assertEquals(0, slots.available());

    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean acquired = new AtomicBoolean();
    Thread third = new Thread(() -> {
      started.countDown();
      try (GpuTaskSlots.Slot c = slots.acquire()) {
        acquired.set(true);
      }
    });
    third.start();
    assertTrue(started.await(5, TimeUnit.SECONDS));
    third.join(200);
    assertFalse(acquired.get(), "a third task must wait while two hold the GPU");
    a.close();
    third.join(5000);
    assertTrue(acquired.get(), "closing a slot lets the waiting task in");
    b.close();
    assertEquals(2, slots.available());
  }

  @Test
  void closingTwiceReleasesOnce() {
    GpuTaskSlots slots = new GpuTaskSlots("cuda:0", 1);
    GpuTaskSlots.Slot s = slots.acquire();
    s.close();
    s.close();
    assertEquals(1, slots.available());
  }

  @Test
  void anInterruptedWaitTakesNoSlot() throws Exception {
    GpuTaskSlots slots = new GpuTaskSlots("cuda:3", 1);
    GpuTaskSlots.Slot held = slots.acquire();
    AtomicBoolean failedClearly = new AtomicBoolean();
    Thread waiter = new Thread(() -> {
      try {
        slots.acquire();
      } catch (IllegalStateException e) {
        failedClearly.set(e.getMessage().contains("cuda:3") && Thread.currentThread().isInterrupted());
      }
    });
    waiter.start();
    Thread.sleep(100);
    waiter.interrupt();
    waiter.join(5000);
    assertTrue(failedClearly.get());
    held.close();
    assertEquals(1, slots.available());
  }

  @Test
  void atLeastOnePermit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GpuTaskSlots("cuda:0", 0));
    assertTrue(e.getMessage().contains(CudaSettings.CONCURRENT_TASKS_KEY));
  }
}
