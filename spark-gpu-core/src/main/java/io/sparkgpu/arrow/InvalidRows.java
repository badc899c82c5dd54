package io.sparkgpu.arrow;

import java.util.Locale;

/**
 * What the batching pass does with a row holding an invalid value (the {@code handleInvalid} Param): {@code ERROR}
 * refuses the data with a message naming the column, row and value; {@code SKIP} drops the row and counts it by
 * {@link Reason}. Structural problems (features of different widths, a sparse index outside its vector) are errors
 * under both: dropping such rows would hide a broken feature pipeline.
 */
public enum InvalidRows {
  ERROR,
  SKIP;

  /** The Param value as users write it. */
  public String paramValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static InvalidRows fromName(String name) {
    for (InvalidRows v : values()) {
      if (v.name().equalsIgnoreCase(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("Unknown handleInvalid '" + name + "': expected one of error, skip");
  }

  /** Why a row is invalid; {@link PartitionStatistics} counts skipped rows per reason. */
  public enum Reason {
    NULL_FEATURES("null features"),
    NON_FINITE_FEATURE("NaN or infinite feature"),
    NULL_LABEL("null label"),
    NON_FINITE_LABEL("NaN or infinite label"),
    BAD_CLASS_LABEL("class label not a whole number in range"),
    NULL_WEIGHT("null weight"),
    BAD_WEIGHT("negative, NaN or infinite weight");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** For logs and summaries, e.g. "null label". */
    public String description() {
      return description;
    }
  }
}
