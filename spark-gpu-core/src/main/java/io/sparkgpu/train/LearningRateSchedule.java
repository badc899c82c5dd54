package io.sparkgpu.train;

import java.util.Locale;

/** How the learning rate moves over the planned training: a pure function of the fraction of training done. */
public enum LearningRateSchedule {
  /** The base rate throughout. */
  CONSTANT,
  /** Divided by 10 after half of the planned epochs and again after three quarters. */
  STEP,
  /** Half a cosine from the base rate to 0 over the planned epochs. */
  COSINE;

  /** The multiplier of the base rate at {@code progress} in [0, 1] of the planned training. */
  public double factor(double progress) {
    double p = Math.min(1.0, Math.max(0.0, progress));
    switch (this) {
      case CONSTANT:
        return 1.0;
      case STEP:
        return p < 0.5 ? 1.0 : (p < 0.75 ? 0.1 : 0.01);
      case COSINE:
        return 0.5 * (1.0 + Math.cos(Math.PI * p));
      default:
        throw new IllegalStateException(name());
    }
  }

  public static LearningRateSchedule fromName(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Unknown learning-rate schedule '" + name
          + "': expected one of constant, step, cosine.", e);
    }
  }
}
