package io.sparkgpu.backend;

/** Update rules that backends implement; state slots each have one value per parameter. */
public enum OptimizerKind {
  /** v = momentum·v + g; w -= lr·v (momentum 0 is plain SGD). One state slot. */
  SGD,
  /** Adam with bias correction. Two state slots (first and second moments). */
  ADAM;

  public int stateSlots() {
    return this == SGD ? 1 : 2;
  }

  /** Parses {@code sgd}, {@code momentum} (SGD with momentum) or {@code adam}, case-insensitively. */
  public static OptimizerKind fromName(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    switch (n) {
      case "sgd":
      case "momentum":
        return SGD;
      case "adam":
        return ADAM;
      default:
        throw new IllegalArgumentException("Unknown optimizer '" + name + "': expected one of sgd, momentum, adam.");
    }
  }
}
