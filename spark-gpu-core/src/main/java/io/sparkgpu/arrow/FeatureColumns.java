package io.sparkgpu.arrow;

import java.io.Serializable;
import java.util.List;

/**
 * Where the features come from: one column holding an MLlib {@code Vector} or an {@code array<numeric>}, or a list
 * of numeric columns taken in order.
 */
public record FeatureColumns(String vectorOrArrayColumn, List<String> numericColumns) implements Serializable {

  public static FeatureColumns single(String column) {
    return new FeatureColumns(column, List.of());
  }

  public static FeatureColumns numeric(List<String> columns) {
    return new FeatureColumns(null, List.copyOf(columns));
  }

  public boolean isSingleColumn() {
    return numericColumns.isEmpty();
  }

  /** For messages: the column name, or the list of names. */
  public String describe() {
    return isSingleColumn() ? vectorOrArrayColumn : String.join(",", numericColumns);
  }
}
