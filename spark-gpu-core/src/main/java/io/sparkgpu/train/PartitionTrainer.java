package io.sparkgpu.train;

import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.OptimizerStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains one resident partition for one epoch at a time. Owns the {@link ResidentPartition}, the work space and
 * the parameter, gradient and state matrices on its backend, and closes them all; the backend belongs to the
 * caller. Not thread-safe: one epoch at a time.
 *
 * <p>An epoch is a pure function of (config, input, data): mini-batches are contiguous ranges of the rows (shuffled
 * once when made resident), visited in an order seeded by (seed, partition, epoch), so a retried task returns the
 * same update. A partition with fewer mini-batches than {@code minStepsPerEpoch} passes over them several times
 * (each pass in a new order) so that small data still gets enough steps.
 */
public final class PartitionTrainer implements AutoCloseable {
  private final TrainingConfig config;
  private final ResidentPartition data;
  private final ResidentPartition validation;
  private final int partition;
  private final int numPartitions;
  private final ComputeBackend backend;
  private final NetworkPass pass;
  private final DenseMatrix params;
  private final DenseMatrix grads;
  private final DenseMatrix state;
  private final DenseMatrix l2;
  private final DenseMatrix l1;

  public PartitionTrainer(TrainingConfig config, ResidentPartition data, int partition, int numPartitions) {
    this(config, data, null, partition, numPartitions);
  }

  /** With held-out validation rows ({@code validation} may be null), which this trainer also owns. */
  public PartitionTrainer(TrainingConfig config, ResidentPartition data, ResidentPartition validation, int partition,
      int numPartitions) {
    this.config = config;
    this.data = data;
    this.validation = validation;
    this.partition = partition;
    this.numPartitions = numPartitions;
    this.backend = data.backend();
    int n = config.spec().numParams();
    List<AutoCloseable> made = new ArrayList<>();
    try {
      int maxRows = 1;
      for (ResidentPartition.Chunk c : data.chunks()) {
        maxRows = Math.max(maxRows, Math.min(c.rows, config.batchSize()));
      }
      pass = add(made, new NetworkPass(backend, config.spec(), maxRows, config.scaling().shift(),
          config.fitFirstBias()));
      params = add(made, backend.allocate(1, n));
      grads = add(made, backend.allocate(1, n));
      state = add(made, backend.allocate(config.optimizer().stateSlots(), n));
      l2 = add(made, backend.upload(config.l2(), 0, 1, n));
      l1 = add(made, backend.upload(config.l1(), 0, 1, n));
    } catch (RuntimeException | Error e) {
      for (AutoCloseable r : made) {
        try {
          r.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T add(List<AutoCloseable> made, T r) {
    made.add(r);
    return r;
  }

  public ResidentPartition data() {
    return data;
  }

  /** A mini-batch: rows [start, start + count) of chunk {@code chunk}. */
  private record MiniBatch(int chunk, int start, int count) {}

  private List<MiniBatch> miniBatches() {
    List<MiniBatch> list = new ArrayList<>();
    int b = config.batchSize();
    for (int c = 0; c < data.chunks().size(); c++) {
      int rows = data.chunks().get(c).rows;
      for (int start = 0; start < rows; start += b) {
        list.add(new MiniBatch(c, start, Math.min(b, rows - start)));
      }
    }
    return list;
  }

  /**
   * Runs round {@code input.round()} of {@code input.rounds()} of the epoch from {@code input} and returns this
   * partition's update; or, for an evaluation input, measures the validation rows at the input parameters.
   */
  public PartitionUpdate trainEpoch(EpochInput input) {
    long t0 = System.nanoTime();
    int n = config.spec().numParams();
    if (input.params().length != n || input.state().length != n * config.optimizer().stateSlots()) {
      throw new IllegalArgumentException("Dimensions mismatch: expecting " + n + " parameters and "
          + n * config.optimizer().stateSlots() + " state values but got " + input.params().length + " and "
          + input.state().length);
    }
    backend.write(input.params(), 0, params);
    backend.write(input.state(), 0, state);
    double[] held = input.train() ? new double[3] : evaluate();
    double lossSum = 0;
    double lossWeight = 0;
    long steps = 0;
    if (input.train()) {
      List<MiniBatch> batches = epochOrder(input.epoch());
      int from = (int) ((long) batches.size() * input.round() / input.rounds());
      int to = (int) ((long) batches.size() * (input.round() + 1) / input.rounds());
      for (int i = from; i < to; i++) {
        MiniBatch mb = batches.get(i);
        ResidentPartition.Chunk c = data.chunks().get(mb.chunk());
        double w = c.weightSum(mb.start(), mb.count());
        if (!(w > 0)) {
          continue; // a mini-batch of zero weight carries no gradient
        }
        DenseMatrix x = c.dense != null ? c.dense.rowRange(mb.start(), mb.count()) : null;
        CsrMatrix s = c.sparse != null ? c.sparse.rowRange(mb.start(), mb.count()) : null;
        // Σ w·∇l over the rows, divided by rows·(mean weight of the partition): an unbiased estimate of the weighted
        // mean gradient. Dividing by this batch's own Σw would make heavy batches count less and pull the optimum
        // towards the unweighted one.
        float gradScale = (float) (data.rows() / (data.weightSum() * mb.count()));
        double loss = pass.lossAndGradient(x, s, c.labels.rowRange(mb.start(), mb.count()),
            c.weights.rowRange(mb.start(), mb.count()), gradScale, params, grads);
        lossSum += loss;
        lossWeight += w;
        steps++;
        double progress = (input.epoch() - 1 + (double) i / batches.size()) / config.epochs();
        float lr = (float) (config.learningRate() * config.schedule().factor(progress));
        OptimizerStep step = config.optimizer() == OptimizerKind.ADAM
            ? OptimizerStep.adam(lr, input.stepsDone() + steps)
            : OptimizerStep.sgd(lr, config.momentum());
        backend.optimizerStep(step, params, grads, state, l2, l1);
      }
    }
    float[] outParams = new float[n];
    float[] outState = new float[input.state().length];
    backend.read(params, outParams, 0);
    backend.read(state, outState, 0);
    double seconds = (System.nanoTime() - t0) / 1e9;
    TrainerCounters.global().epochTrained(steps, seconds);
    return new PartitionUpdate(partition, outParams, outState, data.weightSum(), lossSum, lossWeight, data.rows(),
        steps, seconds, backend.name(), held[0], held[1], held[2]);
  }

  /**
   * The epoch's mini-batches in visiting order: every pass over the rows shuffled anew (seeded by seed, partition and
   * epoch), as many passes as {@code minStepsPerEpoch} needs. The same for every round of an epoch.
   */
  private List<MiniBatch> epochOrder(int epoch) {
    List<MiniBatch> onePass = miniBatches();
    Random random = new Random(SeedMixer.mix(config.seed(), partition, epoch));
    List<MiniBatch> batches = new ArrayList<>();
    int passes = onePass.isEmpty() ? 0
        : Math.max(1, (config.minStepsPerEpoch() + onePass.size() - 1) / onePass.size());
    for (int p = 0; p < passes; p++) {
      shuffle(onePass, random);
      batches.addAll(onePass);
    }
    return batches;
  }

  /**
   * Weighted loss, weight and metric sums of the validation rows at the current parameters: the metric is the
   * weight of correctly classified rows (classifiers) or the weighted squared error (regression), in the trained
   * label scale.
   */
  private double[] evaluate() {
    double[] sums = new double[3];
    if (validation == null) {
      return sums;
    }
    int k = config.spec().outputs();
    int step = pass.maxRows();
    for (ResidentPartition.Chunk c : validation.chunks()) {
      for (int start = 0; start < c.rows; start += step) {
        int count = Math.min(step, c.rows - start);
        DenseMatrix x = c.dense != null ? c.dense.rowRange(start, count) : null;
        CsrMatrix s = c.sparse != null ? c.sparse.rowRange(start, count) : null;
        DenseMatrix y = c.labels.rowRange(start, count);
        DenseMatrix w = c.weights.rowRange(start, count);
        sums[0] += pass.loss(x, s, y, w, params);
        float[] out = new float[count * k];
        float[] labels = new float[count];
        float[] weights = new float[count];
        backend.read(pass.lastOutput(count), out, 0);
        backend.read(y, labels, 0);
        backend.read(w, weights, 0);
        for (int i = 0; i < count; i++) {
          sums[1] += weights[i];
          sums[2] += weights[i] * rowMetric(out, i, k, labels[i]);
        }
      }
    }
    return sums;
  }

  private double rowMetric(float[] out, int row, int k, float label) {
    switch (config.spec().loss()) {
      case SQUARED_ERROR: {
        double r = out[row] - label;
        return r * r;
      }
      case LOGISTIC:
        return (out[row] > 0 ? 1f : 0f) == label ? 1 : 0;
      default: {
        int best = 0;
        for (int c = 1; c < k; c++) {
          if (out[row * k + c] > out[row * k + best]) {
            best = c;
          }
        }
        return best == (int) label ? 1 : 0;
      }
    }
  }

  private static <T> void shuffle(List<T> list, Random random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  public int numPartitions() {
    return numPartitions;
  }

  /** Closes every trainer of {@code trainers}; throws the first failure, with the later ones suppressed. */
  static void closeEach(Iterable<PartitionTrainer> trainers) {
    RuntimeException first = null;
    for (PartitionTrainer t : trainers) {
      try {
        t.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (AutoCloseable r : new AutoCloseable[] {pass, params, grads, state, l2, l1, data, validation}) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("Could not free partition " + partition + "'s trainer", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
