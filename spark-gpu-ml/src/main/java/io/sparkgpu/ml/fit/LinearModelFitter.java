package io.sparkgpu.ml.fit;

import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.train.FitPlan;
import io.sparkgpu.train.NetworkSpec;
import io.sparkgpu.train.TrainingResult;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the linear models (linear regression, binomial and multinomial logistic regression) for the thin Estimator
 * classes through {@link EngineFit}: resolves the family from the labels seen, plans the zero-hidden-layer network,
 * and returns coefficients on the original scale.
 */
public final class LinearModelFitter {
  private static final Logger LOG = LoggerFactory.getLogger(LinearModelFitter.class);

  private LinearModelFitter() {}

  /** The model family of a fit. */
  public enum Family {
    REGRESSION,
    AUTO,
    BINOMIAL,
    MULTINOMIAL
  }

  /** The features source the params describe. */
  public static FeatureColumns features(TrainerParams params, String featuresCol) {
    return EngineFit.features(params, featuresCol);
  }

  /** Every check that needs no data: columns, types, device. Throws IllegalArgumentException. */
  public static void validate(Dataset<?> dataset, TrainerParams params, String featuresCol, String labelCol) {
    EngineFit.validate(dataset, params, featuresCol, labelCol);
  }

  public static LinearFitResult fit(String name, Dataset<?> dataset, TrainerParams params, String featuresCol,
      String labelCol, Family family) {
    LabelKind labelKind = family == Family.REGRESSION ? LabelKind.REAL : LabelKind.CLASS_INDEX;
    int[] classes = new int[1];
    EngineFit.Outcome outcome = EngineFit.run(name, dataset, params, featuresCol, labelCol, labelKind,
        (stats, settings, partitions) -> {
          FitPlan.LinearKind kind;
          if (family == Family.REGRESSION) {
            kind = FitPlan.LinearKind.REGRESSION;
            classes[0] = 1;
            if (FitPlan.labelStdForRegression(stats) == 0) {
              checkConstantLabel(stats, params, labelCol);
              return null;
            }
          } else {
            classes[0] = (int) stats.labelMax() + 1;
            kind = resolveFamily(family, classes[0], stats, labelCol);
          }
          return FitPlan.linear(kind, classes[0], stats, settings, partitions);
        });
    if (outcome.plan() == null) {
      return constantLabelModel(outcome.stats(), labelCol, outcome.skipped());
    }
    return toOriginalScale(outcome.plan(), outcome.result(), outcome.stats(), classes[0], outcome.skipped());
  }

  static FitPlan.LinearKind resolveFamily(Family family, int numClasses, PartitionStatistics stats,
      String labelCol) {
    Map<Integer, Double> classes = stats.classWeights();
    if (family == Family.BINOMIAL && numClasses > 2) {
      throw new IllegalArgumentException("Binomial family only supports 1 or 2 outcome classes but found "
          + numClasses + " (column '" + labelCol + "' has labels up to " + stats.labelMax()
          + "); set family to 'multinomial' or 'auto'");
    }
    if (classes.size() < 2) {
      throw new IllegalArgumentException("Column '" + labelCol + "' holds a single class (" + stats.labelMin()
          + ") in all " + stats.rows() + " rows; classification needs at least two classes (check labelCol and the "
          + "filters that produced the data)");
    }
    boolean multinomial = family == Family.MULTINOMIAL || (family == Family.AUTO && numClasses > 2);
    return multinomial ? FitPlan.LinearKind.MULTINOMIAL : FitPlan.LinearKind.BINOMIAL;
  }

  /** Refuses what MLlib refuses for a constant label: a regularised fit without intercept. */
  private static void checkConstantLabel(PartitionStatistics stats, TrainerParams params, String labelCol) {
    if (!params.getFitIntercept() && stats.labelMean() != 0 && params.getRegParam() > 0) {
      throw new IllegalArgumentException("Column '" + labelCol + "' is constant, so the model cannot be "
          + "regularized without an intercept; set regParam to 0 or fitIntercept to true");
    }
  }

  /** MLlib's answer for a constant label: coefficients 0 and the label as intercept. */
  private static LinearFitResult constantLabelModel(PartitionStatistics stats, String labelCol,
      Map<String, Long> skipped) {
    LOG.info("Column '{}' is constant ({}): coefficients are 0 and the intercept is the label", labelCol,
        stats.labelMean());
    TrainingResult none = TrainingResult.withoutValidation(new float[0], new double[] {0.0}, new double[] {0.0},
        stats.rows(), true);
    return new LinearFitResult(new double[1][stats.numFeatures()], new double[] {stats.labelMean()},
        stats.numFeatures(), 1, none, skipped);
  }

  static LinearFitResult toOriginalScale(FitPlan plan, TrainingResult result, PartitionStatistics stats,
      int numClasses, Map<String, Long> skipped) {
    NetworkSpec spec = plan.config().spec();
    double[] raw = plan.config().scaling().toRaw(spec, result.params());
    int d = spec.inputs();
    int k = spec.outputs();
    double yScale = 1.0 / plan.config().labelScale();
    double yShift = plan.config().labelShift();
    double[][] coef = new double[k][d];
    double[] intercept = new double[k];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        coef[c][j] = raw[spec.weightOffset(0) + j * k + c] * yScale;
      }
      intercept[c] = raw[spec.biasOffset(0) + c] * yScale + yShift;
    }
    return new LinearFitResult(coef, intercept, d, numClasses, result, skipped);
  }
}
