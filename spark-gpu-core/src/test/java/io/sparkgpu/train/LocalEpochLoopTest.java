package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The hand-over between the driver and the tasks of a fit's local job, without Spark: threads play the tasks. Each
 * update carries 100 × round + partition as its loss sum, so that every round's result says which rounds and
 * partitions it came from.
 */
class LocalEpochLoopTest {
  private static final LocalEpochLoop.JobState RUNNING = () -> null;

  private static PartitionUpdate update(int partition, long round) {
    return new PartitionUpdate(partition, new float[1], new float[0], 1, 100.0 * round + partition, 1, 1, 1, 0);
  }

  private static EpochInput input(int epoch) {
    return new EpochInput(epoch, new float[1], new float[0], 0);
  }

  private static double[] losses(List<PartitionUpdate> updates) {
    return updates.stream().mapToDouble(PartitionUpdate::lossSum).toArray();
  }

  /**
   * A task attempt of {@code partition}: joins, trains rounds until the loop closes or, when {@code failInRound} is
   * above 0, takes that round and leaves without reporting it, as a failed attempt does.
   */
  private static Thread task(LocalEpochLoop loop, int partition, long failInRound) {
    Thread t = new Thread(() -> {
      long last = loop.join(partition);
      try {
        for (LocalEpochLoop.Round r = loop.next(last, null); r != null; r = loop.next(last, null)) {
          if (r.number() == failInRound) {
            return;
          }
          loop.report(partition, r.number(), update(partition, r.number()));
          last = r.number();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        loop.leave();
      }
    });
    t.start();
    return t;
  }

  @Test
  void aRetriedAttemptTrainsTheRoundItsFailedAttemptDidNotReport() throws Exception {
    String fit = "test-" + UUID.randomUUID();
    LocalEpochLoop loop = LocalEpochLoop.open(fit, 2, 2);
    assertSame(loop, LocalEpochLoop.of(fit));
    Thread first = task(loop, 0, 2);
    Thread other = task(loop, 1, 0);
    assertArrayEquals(new double[] {100, 101}, losses(loop.runRound(input(1), RUNNING, 60_000)), 0.0);

    // Partition 0's first attempt takes round 2 and fails; its retry joins after the failure and trains round 2.
    Thread[] second = new Thread[1];
    Thread retry = new Thread(() -> {
      try {
        first.join();
        second[0] = task(loop, 0, 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    retry.start();
    assertArrayEquals(new double[] {200, 201}, losses(loop.runRound(input(2), RUNNING, 60_000)), 0.0);
    retry.join();
    // A late second report of round 2 changes nothing; round 3 has both partitions' own updates.
    loop.report(0, 2, update(0, 99));
    assertArrayEquals(new double[] {300, 301}, losses(loop.runRound(input(3), RUNNING, 60_000)), 0.0);

    loop.close();
    assertTrue(loop.awaitTasksLeft(60_000), "the tasks return once the loop is closed");
    second[0].join();
    other.join();
    assertNull(LocalEpochLoop.of(fit), "a closed loop is no longer registered");
  }

  @Test
  void theJobsFailureIsThrownAsItIs() throws Exception {
    RuntimeException failure = new IllegalStateException("task failed");
    try (LocalEpochLoop loop = LocalEpochLoop.open("test-" + UUID.randomUUID(), 1, 1)) {
      assertSame(failure, assertThrows(IllegalStateException.class, () -> loop.runRound(input(1), () -> failure,
          60_000)));
    }
  }

  @Test
  void aTaskThatNeverStartsEndsTheWaitAfterTheJoinTimeout() throws Exception {
    try (LocalEpochLoop loop = LocalEpochLoop.open("test-" + UUID.randomUUID(), 2, 2)) {
      Thread only = task(loop, 0, 0);
      LocalEpochLoop.NotAllJoined e = assertThrows(LocalEpochLoop.NotAllJoined.class,
          () -> loop.runRound(input(1), RUNNING, 200));
      assertTrue(e.getMessage().startsWith("1 of 2 tasks of test-"), e.getMessage());
      assertFalse(loop.allJoined());
      loop.close();
      only.join();
      assertTrue(loop.awaitTasksLeft(0));
    }
  }

  @Test
  void aFitHasOneOpenLoop() {
    String fit = "test-" + UUID.randomUUID();
    try (LocalEpochLoop loop = LocalEpochLoop.open(fit, 1, 2)) {
      assertThrows(IllegalStateException.class, () -> LocalEpochLoop.open(fit, 1, 2));
      assertSame(loop, LocalEpochLoop.of(fit));
    }
  }

  @Test
  void loopsOpenOnlyWhileTheirTasksHaveSlots() {
    // As two fits of a CrossValidator at once in local[4]: two partitions each fit, a third fit does not.
    int slots = LocalEpochLoop.slotsHeld() + 4; // no other loop is open in this JVM's tests; counted anyway
    try (LocalEpochLoop a = LocalEpochLoop.open("test-" + UUID.randomUUID(), 2, slots);
        LocalEpochLoop b = LocalEpochLoop.open("test-" + UUID.randomUUID(), 2, slots)) {
      assertNotNull(a);
      assertNotNull(b);
      assertEquals(slots, LocalEpochLoop.slotsHeld());
      assertNull(LocalEpochLoop.open("test-" + UUID.randomUUID(), 1, slots), "no slot left");
      b.close();
      LocalEpochLoop c = LocalEpochLoop.open("test-" + UUID.randomUUID(), 1, slots);
      assertNotNull(c, "a closed loop's slots are free again");
      c.close();
    }
    assertEquals(slots - 4, LocalEpochLoop.slotsHeld());
  }
}
