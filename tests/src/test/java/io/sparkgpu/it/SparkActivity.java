package io.sparkgpu.it;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Counts the jobs started and the tasks running in the test sessions. Registered by every test session through
 * {@code spark.extraListeners}, so it sees every task from the first. After a failed job Spark lets the other tasks
 * of the stage finish in the background; {@link #awaitIdle} waits for them, so that leak checks do not race with a
 * task still closing its allocator. A task's completion listeners have run when its end event is posted.
 */
public final class SparkActivity extends SparkListener {
  private static final AtomicInteger JOBS = new AtomicInteger();
  private static final AtomicInteger RUNNING = new AtomicInteger();
  private static final AtomicInteger FAILED_TASKS = new AtomicInteger();

  private static final java.util.List<String> DESCRIPTIONS =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    JOBS.incrementAndGet();
    String d = jobStart.properties() != null ? jobStart.properties().getProperty("spark.job.description") : null;
    DESCRIPTIONS.add(d != null ? d : "");
  }

  /** The descriptions of the jobs started after the first {@code from} jobs (see {@link #jobs}). */
  public static java.util.List<String> descriptionsSince(SparkContext sc, int from) {
    drain(sc);
    synchronized (DESCRIPTIONS) {
      return new java.util.ArrayList<>(DESCRIPTIONS.subList(from, DESCRIPTIONS.size()));
    }
  }

  @Override
  public void onTaskStart(SparkListenerTaskStart taskStart) {
    RUNNING.incrementAndGet();
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    RUNNING.decrementAndGet();
    if (!taskEnd.taskInfo().successful()) {
      FAILED_TASKS.incrementAndGet();
    }
  }

  /** Delivers every event posted so far to the listeners. */
  public static void drain(SparkContext sc) {
    try {
      sc.listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain", e);
    }
  }

  /** Jobs started so far, once every event posted before the call has been delivered. */
  public static int jobs(SparkContext sc) {
    drain(sc);
    return JOBS.get();
  }

  /** Task attempts that ended without success so far. */
  public static int failedTasks(SparkContext sc) {
    drain(sc);
    return FAILED_TASKS.get();
  }

  /** Waits until no task runs (bounded at 2 minutes, then fails: a task that never ends is a bug). */
  public static void awaitIdle(SparkContext sc) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      drain(sc);
      if (RUNNING.get() <= 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(RUNNING.get() + " Spark tasks still running after 2 minutes");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for Spark tasks", e);
      }
    }
  }
}
