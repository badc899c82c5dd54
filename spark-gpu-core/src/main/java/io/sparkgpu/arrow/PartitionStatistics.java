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
  private static final RowKernels KERNELS = RowKernels.get();

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
  // Weight per class label: small labels (the usual case) in an array indexed by label, with a flag per label seen
  // (a label of weight 0 still counts as seen); larger ones in a map. Together they hold what a single
  // TreeMap<label, weight> would, without boxing two objects per row.
  private double[] smallClassWeight = new double[0];
  private boolean[] smallClassSeen = new boolean[0];
  private int smallClasses;
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
    if (kind == LabelKind.CLASS_INDEX) {
      addClassWeight((int) label, weight);
    }
  }

  /** Labels below this are tracked in the arrays; the rest in the map. */
  private static final int SMALL_CLASS_LIMIT = 1 << 12;

  /** Adds {@code weight} to class {@code label} while at most {@link #MAX_TRACKED_CLASSES} labels are tracked. */
  private void addClassWeight(int label, double weight) {
    if (smallClasses + classWeights.size() > MAX_TRACKED_CLASSES) {
      return;
    }
    if (label >= 0 && label < smallClassWeight.length && smallClassSeen[label]) {
      smallClassWeight[label] += weight;
      return;
    }
    if (label >= 0 && label < SMALL_CLASS_LIMIT) {
      if (label >= smallClassWeight.length) {
        int cap = Math.min(SMALL_CLASS_LIMIT, Math.max(label + 1, Math.max(8, 2 * smallClassWeight.length)));
        smallClassWeight = java.util.Arrays.copyOf(smallClassWeight, cap);
        smallClassSeen = java.util.Arrays.copyOf(smallClassSeen, cap);
      }
      smallClassSeen[label] = true;
      smallClassWeight[label] = weight;
      smallClasses++;
    } else {
      classWeights.merge(label, weight, Double::sum);
    }
  }

  void addFeature(int j, double value, double weight) {
    featureSum[j] += weight * value;
    featureSqSum[j] += weight * value * value;
    nonZeros++;
  }

  /**
   * Adds a dense row's values {@code values[0, size)} to the feature sums, exactly as {@link #addFeature} for each
   * non-zero would (adding {@code weight * 0} to a sum leaves it as it was), with {@link RowKernels}.
   */
  void addDenseFeatures(double[] values, int size, double weight) {
    nonZeros += KERNELS.addDense(values, size, weight, featureSum, featureSqSum);
  }

  /** Adds a sparse row's non-zero values {@code values[q]} at {@code indices[q]}, q below {@code nnz}. */
  void addSparseFeatures(int[] indices, double[] values, int nnz, double weight) {
    double[] sum = featureSum;
    double[] sq = featureSqSum;
    long count = 0;
    for (int q = 0; q < nnz; q++) {
      double v = values[q];
      if (v != 0.0) {
        int j = indices[q];
        double wv = weight * v;
        sum[j] += wv;
        sq[j] += wv * v;
        count++;
      }
    }
    nonZeros += count;
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
    for (int c = 0; c < other.smallClassSeen.length; c++) { // ascending labels, as a TreeMap would give them
      if (other.smallClassSeen[c]) {
        addClassWeight(c, other.smallClassWeight[c]);
      }
    }
    for (Map.Entry<Integer, Double> e : other.classWeights.entrySet()) {
      addClassWeight(e.getKey(), e.getValue());
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
    TreeMap<Integer, Double> out = new TreeMap<>(classWeights);
    for (int c = 0; c < smallClassSeen.length; c++) {
      if (smallClassSeen[c]) {
        out.put(c, smallClassWeight[c]);
      }
    }
    return out;
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
