package io.sparkgpu.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.DoubleSupplier;

/**
 * A warm-up that lasts until HotSpot's JIT compilers go quiet. An epoch is one Spark job, and the scheduler code each
 * job runs (task binary, broadcast, task set, result handling) is reached only a few times per epoch, so C2 keeps
 * compiling it for hundreds of epochs. On two cores a compiler thread then takes a core from one of the two trainers:
 * fitting synth 1M×100 for 60 epochs eight times in one JVM, the compiler threads used 4.3, 2.2, 0.8, 0.6, 0.9, 0.3,
 * 0.4 and 0.2 s of CPU per fit while the median epoch fell from 0.045 to 0.019 s; in such a fit a trainer's CPU time
 * per epoch was 0.013–0.014 s against a wall time of 0.015–0.032 s. Timing after a short warm-up measured the JIT as
 * much as the trainer.
 */
final class JitWarmup {
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  /** How a warm-up ended: runs made, their seconds, and the share of the last run's wall time spent compiling. */
  record Outcome(int runs, double seconds, double lastCompileShare) {
    String describe() {
      return describe("fits");
    }

    /** As {@link #describe()}, calling each run one of {@code runsAre} ("fits", "rounds"). */
    String describe(String runsAre) {
      return String.format(java.util.Locale.ROOT, "%d warm-up %s in %.1f s, the last with %.0f%% of its wall time "
          + "spent by the JIT compilers", runs, runsAre, seconds, 100 * lastCompileShare);
    }
  }

  private JitWarmup() {}

  /**
   * Runs {@code run} until one run's compile time is at most {@code quietShare} of its wall time, or {@code maxRuns}
   * times.
   */
  static Outcome untilQuiet(Runnable run, int maxRuns, double quietShare) {
    return untilQuiet(run, maxRuns, quietShare, JitWarmup::compileSeconds, () -> System.nanoTime() / 1e9);
  }

  /** As above, reading the compilers' seconds and the wall clock from the given clocks (tests script them). */
  static Outcome untilQuiet(Runnable run, int maxRuns, double quietShare, DoubleSupplier compileClock,
      DoubleSupplier wallClock) {
    if (maxRuns < 1) {
      throw new IllegalArgumentException("maxRuns must be at least 1, got " + maxRuns);
    }
    double start = wallClock.getAsDouble();
    double share = Double.NaN;
    int runs = 0;
    while (runs < maxRuns) {
      double c0 = compileClock.getAsDouble();
      double t0 = wallClock.getAsDouble();
      run.run();
      runs++;
      share = compileShare(compileClock.getAsDouble() - c0, wallClock.getAsDouble() - t0);
      if (share <= quietShare) {
        break;
      }
    }
    return new Outcome(runs, wallClock.getAsDouble() - start, share);
  }

  /** Compile seconds over wall seconds; 0 when nothing was timed. */
  static double compileShare(double compileSeconds, double wallSeconds) {
    return wallSeconds > 0 ? compileSeconds / wallSeconds : 0;
  }

  /**
   * Seconds the JIT compilers have spent compiling since the JVM started, summed over compiler threads (0 when the
   * JVM does not report it).
   */
  static double compileSeconds() {
    return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() / 1e3 : 0;
  }
}
