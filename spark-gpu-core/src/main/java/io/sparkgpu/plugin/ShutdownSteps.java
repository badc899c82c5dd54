package io.sparkgpu.plugin;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs tear-down steps in order, every one of them even when an earlier one fails, and reports the first failure
 * with the later ones suppressed in it. Owns nothing; the steps close what they close.
 */
final class ShutdownSteps {
  /** A step that may throw. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private record Named(String name, Step step) {}

  private final String what;
  private final List<Named> steps = new ArrayList<>();

  /** {@code what} names the whole tear-down in the failure's message. */
  ShutdownSteps(String what) {
    this.what = what;
  }

  ShutdownSteps add(String name, Step step) {
    steps.add(new Named(name, step));
    return this;
  }

  /**
   * Runs every step.
   *
   * @throws IllegalStateException naming the first step that failed, caused by its failure, the later failures
   *     suppressed
   */
  void run() {
    IllegalStateException first = null;
    for (Named s : steps) {
      try {
        s.step().run();
      } catch (Exception | LinkageError e) {
        if (first == null) {
          first = new IllegalStateException(what + " failed at step '" + s.name() + "': " + e, e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
