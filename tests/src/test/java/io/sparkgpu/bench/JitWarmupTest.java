package io.sparkgpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JitWarmupTest {
  /** Clocks driven by the warm-up's runs: run i takes 2 s of wall time, of which compile[i] s compiling. */
  private static final class ScriptedRuns {
    private final double[] compile;
    private double wall;
    private double compiled;
    private int runs;

    ScriptedRuns(double... compile) {
      this.compile = compile;
    }

    void run() {
      compiled += compile[runs++];
      wall += 2;
    }

    JitWarmup.Outcome warmUp(int maxRuns, double quietShare) {
      return JitWarmup.untilQuiet(this::run, maxRuns, quietShare, () -> compiled, () -> wall);
    }
  }

  @Test
  void stopsAfterTheFirstRunAtOrBelowTheQuietShare() {
    ScriptedRuns runs = new ScriptedRuns(1.6, 0.8, 0.2, 0.1);
    JitWarmup.Outcome o = runs.warmUp(10, 0.15);
    // shares 0.8, 0.4, 0.1: the third run is the first at or below 0.15
    assertEquals(3, o.runs());
    assertEquals(6.0, o.seconds(), 1e-12);
    assertEquals(0.1, o.lastCompileShare(), 1e-12);
    assertEquals(3, runs.runs);
  }

  @Test
  void stopsAtMaxRunsWhenTheCompilersNeverGoQuiet() {
    ScriptedRuns runs = new ScriptedRuns(1.0, 1.0, 1.0, 1.0);
    JitWarmup.Outcome o = runs.warmUp(2, 0.15);
    assertEquals(2, o.runs());
    assertEquals(0.5, o.lastCompileShare(), 1e-12);
    assertEquals(2, runs.runs);
  }

  @Test
  void rejectsNoRuns() {
    assertThrows(IllegalArgumentException.class, () -> new ScriptedRuns().warmUp(0, 0.15));
  }

  @Test
  void shareOfNoWallTimeIsZero() {
    assertEquals(0.0, JitWarmup.compileShare(0.5, 0));
    assertEquals(0.25, JitWarmup.compileShare(0.5, 2));
  }
}
