package io.sparkgpu.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;

/**
 * The hand-over between the driver's training loop and the long-lived tasks of one fit in local mode, where the
 * driver and the executor are one JVM: the driver posts each epoch's input (a round) and waits for every partition's
 * update; each task waits for the next round, trains it and posts its update. It replaces one Spark job per epoch
 * (~4.5 ms of scheduling each on a 2-core machine) by one job for the whole fit ({@link SparkEpochRunner} runs it).
 *
 * <p>A round is numbered; a partition's update counts once per round, so a retried task attempt (which starts with
 * the round its failed attempt did not report) gives the update the failed attempt would have. Registered by fit id
 * while open, so that tasks find it; created, used and closed by one {@link SparkEpochRunner}, which owns it. Holds
 * no native resources.
 */
final class LocalEpochLoop implements AutoCloseable {
  private static final Map<String, LocalEpochLoop> OPEN = new ConcurrentHashMap<>();
  /** How often a waiting side looks at what it cannot be woken for: a failed job, a killed task. */
  static final long POLL_MILLIS = 20;

  private final String fitId;
  private final int numPartitions;
  private final boolean[] joined;
  private final long[] reported;
  private final PartitionUpdate[] updates;
  private int joinedCount;
  /** Tasks inside the loop: joined and not yet left. */
  private int live;
  private int received;
  private long round;
  private EpochInput input;
  private boolean closed;

  private LocalEpochLoop(String fitId, int numPartitions) {
    this.fitId = fitId;
    this.numPartitions = numPartitions;
    this.joined = new boolean[numPartitions];
    this.reported = new long[numPartitions];
    this.updates = new PartitionUpdate[numPartitions];
  }

  /**
   * Opens the loop of {@code fitId}, whose job will hold a task slot per partition, and registers it for the fit's
   * tasks; or returns null when the loops already open (other fits in this JVM, such as a CrossValidator's parallel
   * fits) hold so many of the {@code slots} task slots that this fit's tasks could not all start.
   */
  static synchronized LocalEpochLoop open(String fitId, int numPartitions, int slots) {
    if (slotsHeld() + numPartitions > slots) {
      return null;
    }
    LocalEpochLoop loop = new LocalEpochLoop(fitId, numPartitions);
    if (OPEN.putIfAbsent(fitId, loop) != null) {
      throw new IllegalStateException("Fit " + fitId + " already has an open epoch loop");
    }
    return loop;
  }

  /** Task slots held by the open loops' jobs. */
  static synchronized int slotsHeld() {
    return OPEN.values().stream().mapToInt(l -> l.numPartitions).sum();
  }

  /** The open loop of {@code fitId}, or null once it is closed (a task that starts late then has nothing to do). */
  static LocalEpochLoop of(String fitId) {
    return OPEN.get(fitId);
  }

  /** What the driver's side sees while it waits: whether the fit's job has ended, and how it failed. */
  interface JobState {
    /** Null while the job runs; else its failure, or an exception saying it ended without one. */
    Throwable endedWith();
  }

  /** Thrown to the driver when not every partition's task started within the join timeout. */
  static final class NotAllJoined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotAllJoined(String message) {
      super(message);
    }
  }

  /**
   * Driver: posts {@code in} as the next round and returns every partition's update, in partition order. Throws
   * the job's failure if it ends first, and {@link NotAllJoined} if some partition's task has not started
   * {@code joinTimeoutMillis} after this call (its task slot held by another job).
   */
  synchronized List<PartitionUpdate> runRound(EpochInput in, JobState job, long joinTimeoutMillis)
      throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("The epoch loop of " + fitId + " is closed");
    }
    round++;
    input = in;
    received = 0;
    Arrays.fill(updates, null);
    notifyAll();
    long joinDeadline = System.nanoTime() + joinTimeoutMillis * 1_000_000L;
    while (received < numPartitions) {
      Throwable ended = job.endedWith();
      if (ended != null) {
        throw SparkEpochRunner.<RuntimeException>unchanged(ended);
      }
      if (joinedCount < numPartitions && System.nanoTime() > joinDeadline) {
        throw new NotAllJoined(joinedCount + " of " + numPartitions + " tasks of " + fitId + " started within "
            + joinTimeoutMillis + " ms");
      }
      wait(POLL_MILLIS);
    }
    return new ArrayList<>(Arrays.asList(updates));
  }

  /**
   * Task of {@code partition}: marks it started and inside the loop until it calls {@link #leave}; returns the last
   * round the partition reported.
   */
  synchronized long join(int partition) {
    if (!joined[partition]) {
      joined[partition] = true;
      joinedCount++;
    }
    live++;
    return reported[partition];
  }

  /** Task: it has left the loop (normally or not) and holds nothing of the fit's any more. */
  synchronized void leave() {
    live--;
    notifyAll();
  }

  /** Whether every partition's task has started. */
  synchronized boolean allJoined() {
    return joinedCount == numPartitions;
  }

  /**
   * Driver, after {@link #close}: waits until every task that joined has left, at most {@code millis}; whether they
   * all have. A task in the middle of a round leaves when the round is trained.
   */
  synchronized boolean awaitTasksLeft(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    for (long left = millis; live > 0 && left > 0; left = (deadline - System.nanoTime()) / 1_000_000L) {
      wait(left);
    }
    return live == 0;
  }

  /** A round for a task to train: its number and input. */
  record Round(long number, EpochInput input) {}

  /**
   * Task: waits for a round after {@code after} and returns it, or null once the loop is closed or the task was
   * killed.
   */
  synchronized Round next(long after, TaskContext context) throws InterruptedException {
    while (!closed && round <= after) {
      if (context != null && context.isInterrupted()) {
        return null;
      }
      wait(POLL_MILLIS);
    }
    return closed ? null : new Round(round, input);
  }

  /** Task: posts the update of {@code partition} for round {@code number}; a second one for the round is ignored. */
  synchronized void report(int partition, long number, PartitionUpdate update) {
    if (number == round && reported[partition] < number) {
      reported[partition] = number;
      updates[partition] = update;
      received++;
      notifyAll();
    }
  }

  /** Ends the loop: waiting tasks return, and tasks that start later find no loop. */
  @Override
  public synchronized void close() {
    closed = true;
    OPEN.remove(fitId, this);
    notifyAll();
  }
}
