package io.sparkgpu.train;

/** How a partition's features are held by the backend. Chosen by a pure rule, see {@link #choose}. */
public enum ResidentLayout {
  DENSE,
  SPARSE;

  /** Density at or above which sparse input is stored dense (if the budget allows): dense GEMM then wins. */
  public static final double DENSIFY_DENSITY = 0.2;

  /**
   * Dense input stays dense. Sparse input stays sparse unless it is at least {@link #DENSIFY_DENSITY} dense and
   * its dense form fits {@code maxDenseBytes}: sparse data is never densified beyond that budget.
   */
  public static ResidentLayout choose(long rows, int numFeatures, long nonZeros, boolean anySparse,
      long maxDenseBytes) {
    if (!anySparse) {
      return DENSE;
    }
    double cells = (double) rows * numFeatures;
    boolean denseEnough = cells > 0 && nonZeros / cells >= DENSIFY_DENSITY;
    boolean fits = 4.0 * cells <= maxDenseBytes;
    return denseEnough && fits ? DENSE : SPARSE;
  }
}
