package io.sparkgpu.ml.param;

import java.io.Serializable;
import java.util.Locale;
import java.util.function.Predicate;
import scala.Function1;
import scala.runtime.AbstractFunction1;

/** Param validators (Spark wants a serializable {@code Function1<value, Boolean>}). */
public final class Validators {
  private Validators() {}

  private static final class Check extends AbstractFunction1<Object, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final SerializablePredicate test;

    Check(SerializablePredicate test) {
      this.test = test;
    }

    @Override
    public Object apply(Object value) {
      return test.test(value);
    }
  }

  /** A predicate that can travel with its Param. */
  public interface SerializablePredicate extends Predicate<Object>, Serializable {}

  public static <T> Function1<T, Object> of(SerializablePredicate test) {
    @SuppressWarnings("unchecked")
    Function1<T, Object> f = (Function1<T, Object>) (Function1<?, ?>) new Check(test);
    return f;
  }

  /** A finite number in [lo, hi] (either end open if its flag is false); NaN and infinities are refused. */
  public static <T> Function1<T, Object> inRange(double lo, double hi, boolean loInclusive, boolean hiInclusive) {
    return of(v -> {
      if (!(v instanceof Number)) {
        return false;
      }
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) && (loInclusive ? d >= lo : d > lo) && (hiInclusive ? d <= hi : d < hi);
    });
  }

  /** A finite number >= lo. */
  public static <T> Function1<T, Object> atLeast(double lo) {
    return inRange(lo, Double.POSITIVE_INFINITY, true, true);
  }

  /** A finite number > 0. */
  public static <T> Function1<T, Object> positive() {
    return inRange(0, Double.POSITIVE_INFINITY, false, true);
  }

  /** MLlib's checkpointInterval rule: -1 (never) or >= 1. */
  public static <T> Function1<T, Object> checkpointInterval() {
    return of(v -> v instanceof Integer && ((Integer) v == -1 || (Integer) v >= 1));
  }

  /** A string that is not blank. */
  public static <T> Function1<T, Object> nonBlank() {
    return of(v -> v instanceof String && !((String) v).trim().isEmpty());
  }

  /** One of {@code allowed}, ignoring case. */
  public static <T> Function1<T, Object> oneOf(String... allowed) {
    String[] lower = new String[allowed.length];
    for (int i = 0; i < allowed.length; i++) {
      lower[i] = allowed[i].toLowerCase(Locale.ROOT);
    }
    return of(v -> {
      if (!(v instanceof String)) {
        return false;
      }
      String s = ((String) v).toLowerCase(Locale.ROOT);
      for (String a : lower) {
        if (a.equals(s)) {
          return true;
        }
      }
      return false;
    });
  }

  public static <T> Function1<T, Object> any() {
    return of(v -> true);
  }
}
