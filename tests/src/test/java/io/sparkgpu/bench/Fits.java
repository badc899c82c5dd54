package io.sparkgpu.bench;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Timed fits of our LogisticRegression and MLlib's on the same cached DataFrame, with the same regularisation
 * (L2 λ, no standardisation of the penalty, so that {@link Objective} is both trainers' objective) and every other
 * setting at its default. A fit's seconds are its wall-clock time from {@code fit(df)} to the returned model.
 */
final class Fits {
  private Fits() {}

  /** The regularisation both trainers use. */
  record Setting(double regParam, boolean fitIntercept) {
    String describe() {
      return String.format(java.util.Locale.ROOT, "binary logistic, regParam = 1/n = %.4g, elasticNetParam 0, "
          + "standardization false, fitIntercept %s; every other Param at its default", regParam, fitIntercept);
    }
  }

  /** One fit: wall-clock seconds, objective, iterations run, and (ours) the seconds of each epoch. */
  record Result(double seconds, Objective.Value value, int iterations, double[] epochSeconds,
      double[] reportedHistory) {}

  static Result ours(Dataset<Row> df, Setting s, int maxIter) {
    return ours(df, s, maxIter, "auto");
  }

  /** As above on {@code device} ({@code auto}, {@code cpu} or {@code cuda}). */
  static Result ours(Dataset<Row> df, Setting s, int maxIter, String device) {
    LogisticRegression lr = new LogisticRegression().setRegParam(s.regParam()).setStandardization(false)
        .setFitIntercept(s.fitIntercept()).setDevice(device);
    if (maxIter > 0) {
      lr.setMaxIter(maxIter);
    }
    System.gc();
    long t0 = System.nanoTime();
    LogisticRegressionModel m = lr.fit(df);
    double secs = (System.nanoTime() - t0) / 1e9;
    Objective.Value v = Objective.of(df, m.coefficients(), m.intercept(), s.regParam());
    return new Result(secs, v, m.summary().totalIterations(), m.summary().epochSeconds(),
        m.summary().objectiveHistory());
  }

  static Result mllib(Dataset<Row> df, Setting s, int maxIter) {
    org.apache.spark.ml.classification.LogisticRegression lr =
        new org.apache.spark.ml.classification.LogisticRegression().setRegParam(s.regParam())
            .setStandardization(false).setFitIntercept(s.fitIntercept());
    if (maxIter > 0) {
      lr.setMaxIter(maxIter);
    }
    System.gc();
    long t0 = System.nanoTime();
    org.apache.spark.ml.classification.LogisticRegressionModel m = lr.fit(df);
    double secs = (System.nanoTime() - t0) / 1e9;
    Objective.Value v = Objective.of(df, m.coefficients(), m.intercept(), s.regParam());
    double[] history = m.summary().objectiveHistory();
    return new Result(secs, v, m.summary().totalIterations(), new double[0], history);
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  }

  /** Median seconds of the epochs after the first (the first also makes the data resident). */
  static double steadyEpochSeconds(double[] epochSeconds) {
    if (epochSeconds.length < 2) {
      return epochSeconds.length == 1 ? epochSeconds[0] : Double.NaN;
    }
    return median(Arrays.copyOfRange(epochSeconds, 1, epochSeconds.length));
  }

  /** {@code values} rounded to milliseconds, for the probes' printouts. */
  static double[] roundedToMillis(double[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.round(values[i] * 1000) / 1000.0;
    }
    return out;
  }

  static String list(double[] values) {
    return list(values, 2);
  }

  /** {@code values} with {@code digits} decimals, space-separated. */
  static String list(double[] values, int digits) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(sb.length() == 0 ? "" : " ").append(ResultStore.fmt(v, digits));
    }
    return sb.toString();
  }
}
