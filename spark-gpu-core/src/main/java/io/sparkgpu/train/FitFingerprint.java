package io.sparkgpu.train;

import io.sparkgpu.arrow.PartitionStatistics;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes two fits the same computation, so that one may resume from the other's checkpoint: the estimator, the
 * network's shape, every setting that changes the arithmetic (optimizer, step, batch, epochs, schedule, seed,
 * regularisation, scaling, averaging, early stopping), the number of workers, the initial parameters and the
 * statistics of the data. Kept as named fields (arrays as SHA-256 digests of their exact bits) so that a refused
 * checkpoint can say which field differs. Immutable; pure.
 */
public final class FitFingerprint {
  private final Map<String, String> fields;

  public FitFingerprint(Map<String, String> fields) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** The fingerprint of a fit of {@code estimator} planned as {@code config} on data with these statistics. */
  public static FitFingerprint of(String estimator, TrainingConfig config, float[] initialParams,
      TrainingControls controls, int numWorkers, PartitionStatistics training, PartitionStatistics validation) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("estimator", estimator);
    f.put("network", config.spec().toString());
    f.put("numParams", Integer.toString(config.spec().numParams()));
    f.put("optimizer", config.optimizer().name());
    f.put("learningRate (after scaling for workers)", Float.toString(config.learningRate()));
    f.put("momentum", Float.toString(config.momentum()));
    f.put("batchSize", Integer.toString(config.batchSize()));
    f.put("maxIter", Integer.toString(config.epochs()));
    f.put("learningRateSchedule", config.schedule().name());
    f.put("seed", Long.toString(config.seed()));
    f.put("minStepsPerEpoch", Integer.toString(config.minStepsPerEpoch()));
    f.put("fitFirstBias", Boolean.toString(config.fitFirstBias()));
    f.put("maxDenseBytes", Long.toString(config.maxDenseBytes()));
    f.put("l2", digest(config.l2()));
    f.put("l1", digest(config.l1()));
    f.put("featureScale", digest(config.scaling().scale()));
    f.put("featureShift", digest(config.scaling().shift()));
    f.put("labelShift", Double.toString(config.labelShift()));
    f.put("labelScale", Double.toString(config.labelScale()));
    f.put("initialParams", digest(initialParams));
    f.put("tol", Double.toString(controls.tol()));
    f.put("averagingFrequency", Integer.toString(controls.averagingFrequency()));
    f.put("earlyStoppingPatience", Integer.toString(controls.earlyStoppingPatience()));
    f.put("validating", Boolean.toString(controls.validating()));
    f.put("numWorkers", Integer.toString(numWorkers));
    f.put("rows", Long.toString(training.rows()));
    f.put("weightSum", Double.toString(training.weightSum()));
    f.put("numFeatures", Integer.toString(training.numFeatures()));
    f.put("nonZeros", Long.toString(training.nonZeros()));
    f.put("featureMeans", digest(training.featureMeans()));
    f.put("featureStds", digest(training.featureStds()));
    f.put("labelMean", Double.toString(training.labelMean()));
    f.put("validationRows", Long.toString(validation.rows()));
    return new FitFingerprint(f);
  }

  public Map<String, String> fields() {
    return fields;
  }

  /**
   * The fields in which {@code other} differs from this one, as "name (here X, there Y)"; empty when they are the
   * same fit.
   */
  public List<String> differences(FitFingerprint other) {
    List<String> out = new ArrayList<>();
    for (String name : orderedNames(other)) {
      String here = fields.get(name);
      String there = other.fields.get(name);
      if (here == null ? there != null : !here.equals(there)) {
        out.add(name + " (" + there + " in the checkpoint, " + here + " in this fit)");
      }
    }
    return out;
  }

  /** This fingerprint's order, then names only {@code other} has. */
  private List<String> orderedNames(FitFingerprint other) {
    List<String> names = new ArrayList<>(fields.keySet());
    for (String n : other.fields.keySet()) {
      if (!fields.containsKey(n)) {
        names.add(n);
      }
    }
    return names;
  }

  static String digest(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length);
    for (float v : values) {
      b.putInt(Float.floatToRawIntBits(v));
    }
    return "sha256:" + sha256(b.array()) + " (" + values.length + " values)";
  }

  static String digest(double[] values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length);
    for (double v : values) {
      b.putLong(Double.doubleToRawLongBits(v));
    }
    return "sha256:" + sha256(b.array()) + " (" + values.length + " values)";
  }

  private static String sha256(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        s.append(String.format("%02x", d[i]));
      }
      return s.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FitFingerprint && ((FitFingerprint) o).fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.toString();
  }
}
