package io.sparkgpu.train;

import java.io.Serializable;

/**
 * What the driver sends to every partition for one averaging round: parameters and optimizer state after the
 * previous average, how many optimizer steps came before (Adam's bias correction), the epoch (from 1), which of the
 * epoch's {@code rounds} slices of mini-batches to run, and whether to train ({@code false}: only evaluate the
 * validation rows at {@code params}).
 */
public record EpochInput(int epoch, int round, int rounds, float[] params, float[] state, double stepsDone,
    boolean train) implements Serializable {

  /** A whole epoch in one round. */
  public EpochInput(int epoch, float[] params, float[] state, double stepsDone) {
    this(epoch, 0, 1, params, state, stepsDone, true);
  }

  /** Only evaluate the validation rows at {@code params}. */
  public static EpochInput evaluation(int epoch, float[] params, float[] state) {
    return new EpochInput(epoch, 0, 1, params, state, 0, false);
  }
}
