package io.sparkgpu.bench;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * The training objective of a binary logistic model, computed the same way for both trainers from the model's
 * coefficients alone, in double precision, over the training DataFrame: mean log-loss
 * (1/n)·Σ log(1 + e^z) - y·z with z = β·x + b, plus (λ/2)·‖β‖² (the intercept is not penalised). This is MLlib's
 * objective with {@code standardization=false, elasticNetParam=0}, which every benchmark here uses.
 */
final class Objective {
  private Objective() {}

  /** Mean log-loss and objective. */
  record Value(double logLoss, double objective) {}

  static Value of(Dataset<Row> df, Vector coefficients, double intercept, double regParam) {
    double[] beta = coefficients.toArray();
    List<double[]> parts = df.select("label", "features").mapPartitions(
        (MapPartitionsFunction<Row, double[]>) it -> List.of(sum(it, beta, intercept)).iterator(),
        Encoders.kryo(double[].class)).collectAsList();
    double loss = 0;
    double rows = 0;
    for (double[] p : parts) {
      loss += p[0];
      rows += p[1];
    }
    double norm = 0;
    for (double v : beta) {
      norm += v * v;
    }
    double mean = loss / rows;
    return new Value(mean, mean + 0.5 * regParam * norm);
  }

  private static double[] sum(Iterator<Row> it, double[] beta, double intercept) {
    double loss = 0;
    long rows = 0;
    while (it.hasNext()) {
      Row r = it.next();
      double y = r.getDouble(0);
      Vector v = r.getAs(1);
      double z = intercept;
      if (v instanceof SparseVector) {
        SparseVector s = (SparseVector) v;
        int[] idx = s.indices();
        double[] val = s.values();
        for (int q = 0; q < idx.length; q++) {
          z += beta[idx[q]] * val[q];
        }
      } else {
        double[] x = ((DenseVector) v).values();
        for (int j = 0; j < x.length; j++) {
          z += beta[j] * x[j];
        }
      }
      double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      loss += softplus - y * z;
      rows++;
    }
    return new double[] {loss, rows};
  }
}
