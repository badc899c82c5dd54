package io.sparkgpu.arrow;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one pass over the rows learns besides the batches: counts, weight sums, the feature width, per-feature
 * weighted sums for mean and variance, and the labels seen. Gathered per partition while batching, merged on the
 * driver. Mutable; not thread-safe.
 */
public final class PartitionStatistics implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Beyond this many distinct class labels the per-class weights are no longer tracked. */
  public static final int MAX_TRACKED_CLASSES = 100_000;

  private final int partition;
  private long rows;
  private double weightSum;
  private double weightSqSum;
  private int numFeatures = -1;
  private double[] featureSum = new double[0];
  private double[] featureSqSum = new double[0];
  private long nonZeros;
  private boolean anySparse;
  private double labelSum;
  private double labelSqSum;
  private double labelMin = Double.POSITIVE_INFINITY;
  private double labelMax = Double.NEGATIVE_INFINITY;
  private final TreeMap<Integer, Double> classWeights = new TreeMap<>();
  private long batches;
  private final long[] skipped = new long[InvalidRows.Reason.values().length];

  public PartitionStatistics(int partition) {
    this.partition = partition;
  }

  public int partition() {
    return partition;
  }

  /** Fixes the feature width at the first row; the writer rejects rows of another width. */
  void setNumFeatures(int d) {
    numFeatures = d;
    featureSum = new double[d];
    featureSqSum = new double[d];
  }

  void addRow(double label, double weight, boolean sparse, LabelKind kind) {
    rows++;
    weightSum += weight;
    weightSqSum += weight * weight;
    anySparse |= sparse;
    labelSum += weight * label;
    labelSqSum += weight * label * label;
    labelMin = Math.min(labelMin, label);
    labelMax = Math.max(labelMax, label);
    if (kind == LabelKind.CLASS_INDEX && classWeights.size() <= MAX_TRACKED_CLASSES) {
      classWeights.merge((int) label, weight, Double::sum);
    }
  }

  void addFeature(int j, double value, double weight) {
    featureSum[j] += weight * value;
    featureSqSum[j] += weight * value * value;
    nonZeros++;
  }

  /**
   * Converts one dense row to float32 into {@code out[base, base + size)} and adds its values to the feature sums in
   * the same pass. Returns false, having added nothing, if a value is not finite or beyond float32's range (the
   * caller then reports it).
   */
  boolean addDenseRow(double[] values, int size, double weight, float[] out, int base) {
    for (int j = 0; j < size; j++) {
      if (!(Math.abs(values[j]) <= Float.MAX_VALUE)) {
        return false;
      }
    }
    long nnz = 0;
    double[] sum = featureSum;
    double[] sq = featureSqSum;
    for (int j = 0; j < size; j++) {
      double v = values[j];
      out[base + j] = (float) v;
      double wv = weight * v;
      sum[j] += wv; // adding 0 for a zero value leaves the sums as they were
      sq[j] += wv * v;
      nnz += v != 0.0 ? 1 : 0;
    }
    nonZeros += nnz;
    return true;
  }

  void addBatch() {
    batches++;
  }

  void addSkipped(InvalidRows.Reason reason) {
    skipped[reason.ordinal()]++;
  }

  /** Folds {@code other} into this one. Partitions with rows must agree on the feature width. */
  public PartitionStatistics merge(PartitionStatistics other) {
    for (int i = 0; i < skipped.length; i++) {
      skipped[i] += other.skipped[i];
    }
    if (other.rows == 0) {
      return this;
    }
    if (rows == 0) {
      numFeatures = other.numFeatures;
      featureSum = other.featureSum.clone();
      featureSqSum = other.featureSqSum.clone();
    } else {
      if (numFeatures != other.numFeatures) {
        throw new IllegalArgumentException("Feature vectors differ in size between partitions: "
            + numFeatures + " in one, " + other.numFeatures + " in partition " + other.partition
            + "; every row's features must have the same size");
      }
      for (int j = 0; j < numFeatures; j++) {
        featureSum[j] += other.featureSum[j];
        featureSqSum[j] += other.featureSqSum[j];
      }
    }
    rows += other.rows;
    weightSum += other.weightSum;
    weightSqSum += other.weightSqSum;
    nonZeros += other.nonZeros;
    anySparse |= other.anySparse;
    labelSum += other.labelSum;
    labelSqSum += other.labelSqSum;
    labelMin = Math.min(labelMin, other.labelMin);
    labelMax = Math.max(labelMax, other.labelMax);
    for (Map.Entry<Integer, Double> e : other.classWeights.entrySet()) {
      if (classWeights.size() <= MAX_TRACKED_CLASSES) {
        classWeights.merge(e.getKey(), e.getValue(), Double::sum);
      }
    }
    batches += other.batches;
    return this;
  }

  public long rows() {
    return rows;
  }

  public double weightSum() {
    return weightSum;
  }

  public int numFeatures() {
    return numFeatures;
  }

  public long nonZeros() {
    return nonZeros;
  }

  public boolean anySparse() {
    return anySparse;
  }

  public long batches() {
    return batches;
  }

  /** Rows dropped as invalid (handleInvalid=skip), over every reason. */
  public long skippedRows() {
    long n = 0;
    for (long s : skipped) {
      n += s;
    }
    return n;
  }

  /** Rows dropped as invalid, per reason that dropped any (in {@link InvalidRows.Reason} order). */
  public Map<InvalidRows.Reason, Long> skippedByReason() {
    Map<InvalidRows.Reason, Long> out = new java.util.EnumMap<>(InvalidRows.Reason.class);
    for (InvalidRows.Reason r : InvalidRows.Reason.values()) {
      if (skipped[r.ordinal()] > 0) {
        out.put(r, skipped[r.ordinal()]);
      }
    }
    return out;
  }

  public double labelMin() {
    return labelMin;
  }

  public double labelMax() {
    return labelMax;
  }

  /** Weight per class index seen (empty for real labels). */
  public Map<Integer, Double> classWeights() {
    return new TreeMap<>(classWeights);
  }

  /** Weighted means of the features. */
  public double[] featureMeans() {
    double[] mean = new double[featureSum.length];
    for (int j = 0; j < mean.length; j++) {
      mean[j] = weightSum > 0 ? featureSum[j] / weightSum : 0.0;
    }
    return mean;
  }

  /**
   * Weighted standard deviations with MLlib's Summarizer correction (Σw - Σw²/Σw in the denominator, n - 1 for unit
   * weights), so that standardisation scales exactly as MLlib's does.
   */
  public double[] featureStds() {
    double[] std = new double[featureSum.length];
    for (int j = 0; j < std.length; j++) {
      std[j] = weightedStd(featureSum[j], featureSqSum[j]);
    }
    return std;
  }

  public double labelMean() {
    return weightSum > 0 ? labelSum / weightSum : 0.0;
  }

  public double labelStd() {
    return weightedStd(labelSum, labelSqSum);
  }

  private double weightedStd(double sum, double sqSum) {
    double denominator = weightSum - weightSqSum / weightSum;
    if (!(weightSum > 0) || !(denominator > 0)) {
      return 0.0;
    }
    double mean = sum / weightSum;
    double m2 = Math.max(0.0, sqSum - weightSum * mean * mean);
    return Math.sqrt(m2 / denominator);
  }
}
