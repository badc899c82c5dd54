package io.sparkgpu.ml.param;

/**
 * Carries a stage's uid into Spark's super constructors. {@code Predictor} creates Params in its constructor by
 * calling the virtual {@code uid()} before a Java subclass has set its uid field; the public {@code (String uid)}
 * constructor calls {@code this(StageUid.pending(uid), ...)}, and {@code uid()} returns the field or, while it is
 * unset, {@link #current()}. The subclass clears the pending value once its field is set.
 */
public final class StageUid {
  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  private StageUid() {}

  public static String pending(String uid) {
    PENDING.set(uid);
    return uid;
  }

  public static String current() {
    return PENDING.get();
  }

  public static void clear() {
    PENDING.remove();
  }
}
