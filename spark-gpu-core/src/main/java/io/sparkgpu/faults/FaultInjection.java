package io.sparkgpu.faults;

import org.apache.spark.TaskContext;

/**
 * Test-only task failures, switched on per job through Spark local properties set on the driver thread that runs
 * the fit ({@code spark.sparkContext().setLocalProperty(key, value)}); nothing happens while they are unset, which is
 * always the case outside tests. They let the test suite prove that spark-gpu's tasks are pure (a retried task gives
 * the same model) and that an interrupted fit resumes from its checkpoint.
 */
public final class FaultInjection {
  /**
   * "true": the first attempt of partition 0's task fails, after doing its work, in the batching job and in the
   * first round of every training epoch; in a fit's long-lived local job, whose one task per partition trains every
   * epoch, only its first attempt fails, after the first epoch it trains. With task retries (local[n,maxFailures] or
   * spark.task.maxFailures) the retried attempt must give the same result.
   */
  public static final String FAIL_FIRST_ATTEMPT = "sparkgpu.test.failFirstAttempt";
  /** An epoch number k: every attempt of every training task of epoch k and later fails, so the fit aborts. */
  public static final String FAIL_FROM_EPOCH = "sparkgpu.test.failFromEpoch";

  private FaultInjection() {}

  /** Thrown by an injected failure. */
  public static final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String message) {
      super(message);
    }
  }

  /** At the end of a batching task. */
  public static void afterBatching() {
    TaskContext ctx = TaskContext.get();
    if (ctx != null && firstAttemptOfPartitionZero(ctx)) {
      throw new InjectedFault("Injected failure (" + FAIL_FIRST_ATTEMPT + ") of batching task attempt "
          + ctx.attemptNumber() + " of partition " + ctx.partitionId());
    }
  }

  /** At the end of a training task of {@code epoch} (round {@code round} of the epoch). */
  public static void afterTraining(int epoch, int round) {
    TaskContext ctx = TaskContext.get();
    if (ctx == null) {
      return;
    }
    if (round == 0 && firstAttemptOfPartitionZero(ctx)) {
      throw new InjectedFault("Injected failure (" + FAIL_FIRST_ATTEMPT + ") of epoch " + epoch + " task attempt "
          + ctx.attemptNumber() + " of partition " + ctx.partitionId());
    }
    String from = ctx.getLocalProperty(FAIL_FROM_EPOCH);
    if (from != null && epoch >= Integer.parseInt(from.trim())) {
      throw new InjectedFault("Injected failure (" + FAIL_FROM_EPOCH + "=" + from + ") of epoch " + epoch
          + " in partition " + ctx.partitionId());
    }
  }

  private static boolean firstAttemptOfPartitionZero(TaskContext ctx) {
    return "true".equals(ctx.getLocalProperty(FAIL_FIRST_ATTEMPT)) && ctx.partitionId() == 0
        && ctx.attemptNumber() == 0;
  }
}
