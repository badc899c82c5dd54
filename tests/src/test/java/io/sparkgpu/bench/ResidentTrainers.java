package io.sparkgpu.bench;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.backend.cpu.CpuMatrixArrays;
import io.sparkgpu.train.EpochInput;
import io.sparkgpu.train.InputScaling;
import io.sparkgpu.train.LearningRateSchedule;
import io.sparkgpu.train.NetworkSpec;
import io.sparkgpu.train.ParameterAverager;
import io.sparkgpu.train.PartitionTrainer;
import io.sparkgpu.train.PartitionUpdate;
import io.sparkgpu.train.ResidentPartition;
import io.sparkgpu.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The CPU trainer without Spark, on P2's shape (binary logistic or squared error, dense Gaussian rows, centred inputs
 * as a fit with an intercept trains them, Adam, mini-batches of 1024): one {@link PartitionTrainer} per partition,
 * each trained on its own thread as local[n] runs them, with the driver's averaging between epochs. Beside an epoch
 * it can time the streaming bound over the very arrays the trainers read ({@link #sameBytesSumSeconds}). Owns the
 * trainers (their resident data) and a thread pool; the caller closes it.
 */
final class ResidentTrainers implements AutoCloseable {
  private final List<PartitionTrainer> trainers = new ArrayList<>();
  private final List<ResidentPartition> residents = new ArrayList<>();
  private final ExecutorService pool;
  private final long featureBytes;
  private float[] params;
  private float[] state;
  private double stepsDone;
  private int epoch;

  /** One epoch: wall seconds, the slowest trainer's own seconds, and the mean loss. */
  record Epoch(double wallSeconds, double slowestTrainerSeconds, double meanLoss) {}

  ResidentTrainers(int rows, int parts, int d, Loss loss, int epochs) {
    CpuBackend backend = new CpuBackend();
    List<HostBatch> batches = new ArrayList<>();
    double[] sum = new double[d];
    double[] sumSq = new double[d];
    for (int p = 0; p < parts; p++) {
      HostBatch b = synthetic(rows / parts, d, loss, 42 + p);
      for (int i = 0; i < b.rows; i++) {
        for (int j = 0; j < d; j++) {
          double x = b.dense[i * d + j];
          sum[j] += x;
          sumSq[j] += x * x;
        }
      }
      batches.add(b);
    }
    double[] mean = new double[d];
    double[] std = new double[d];
    for (int j = 0; j < d; j++) {
      mean[j] = sum[j] / rows;
      std[j] = Math.sqrt(Math.max(0, sumSq[j] / rows - mean[j] * mean[j]));
    }
    InputScaling scaling = InputScaling.fromStatistics(mean, std, true, true);
    NetworkSpec spec = NetworkSpec.linear(d, 1, loss);
    int n = spec.numParams();
    float[] l2 = new float[n];
    Arrays.fill(l2, 0, d, 1f / rows);
    TrainingConfig config = new TrainingConfig(spec, scaling, 0.0, 1.0, OptimizerKind.ADAM, 0.01f, 0f, 1024,
        epochs, LearningRateSchedule.CONSTANT, 7L, l2, new float[n], 1L << 40, true, 1);
    try {
      for (int p = 0; p < parts; p++) {
        ResidentPartition rp = ResidentPartition.build(backend, List.of(batches.get(p)), d, scaling, 0.0, 1.0, 7L,
            p, 1L << 40);
        try {
          trainers.add(new PartitionTrainer(config, rp, p, parts)); // the trainer owns rp from here on
        } catch (RuntimeException e) {
          rp.close();
          throw e;
        }
        residents.add(rp);
      }
    } catch (RuntimeException e) {
      closeTrainers();
      throw e;
    }
    this.featureBytes = 4L * rows * d;
    this.params = new float[n];
    this.state = new float[2 * n];
    this.pool = Executors.newFixedThreadPool(parts);
  }

  long featureBytes() {
    return featureBytes;
  }

  /** Trains every partition for one epoch, each on its own thread, and averages the updates as the driver does. */
  Epoch epoch() {
    EpochInput in = new EpochInput(++epoch, params, state, stepsDone);
    long t0 = System.nanoTime();
    List<Future<PartitionUpdate>> fs = new ArrayList<>();
    for (PartitionTrainer t : trainers) {
      fs.add(pool.submit(() -> t.trainEpoch(in)));
    }
    List<PartitionUpdate> ups = new ArrayList<>();
    for (Future<PartitionUpdate> f : fs) {
      ups.add(get(f));
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double slowest = 0;
    for (PartitionUpdate u : ups) {
      slowest = Math.max(slowest, u.seconds());
    }
    ParameterAverager.Averaged avg = ParameterAverager.average(ups);
    params = avg.params();
    state = avg.state();
    stepsDone += avg.steps();
    return new Epoch(wall, slowest, avg.meanLoss());
  }

  /**
   * Wall seconds of one streaming pass over the trainers' own resident feature arrays: each partition's chunks summed
   * by one thread with the Vector API ({@link Throughput#sum}), all partitions at once, as an epoch reads them.
   */
  double sameBytesSumSeconds() {
    long t0 = System.nanoTime();
    List<Future<Float>> fs = new ArrayList<>();
    for (ResidentPartition rp : residents) {
      fs.add(pool.submit(() -> {
        float s = 0;
        for (ResidentPartition.Chunk c : rp.chunks()) {
          int from = CpuMatrixArrays.offset(c.dense);
          s += Throughput.sum(CpuMatrixArrays.array(c.dense), from, from + c.rows * c.dense.cols());
        }
        return s;
      }));
    }
    for (Future<Float> f : fs) {
      get(f); // each sum is its task's result, published through the Future: it cannot be optimised away
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static <T> T get(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    closeTrainers();
  }

  private void closeTrainers() {
    for (PartitionTrainer t : trainers) {
      t.close();
    }
    trainers.clear();
    residents.clear();
  }

  /** Gaussian features with per-column means and scales, labels from a planted model. */
  private static HostBatch synthetic(int rows, int d, Loss loss, long seed) {
    Random r = new Random(seed);
    float[] x = new float[rows * d];
    double[] y = new double[rows];
    double[] w = new double[rows];
    Arrays.fill(w, 1.0);
    for (int i = 0; i < rows; i++) {
      double z = 0.3;
      for (int j = 0; j < d; j++) {
        double m = 0.5 * (j % 7 - 3);
        double s = 0.5 + j % 4;
        double beta = 0.5 * (j % 5 - 2) / (s * Math.sqrt(d / 10.0));
        double v = m + s * r.nextGaussian();
        x[i * d + j] = (float) v;
        z += beta * (v - m);
      }
      y[i] = loss == Loss.LOGISTIC ? (r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0) : z + 0.1 * r.nextGaussian();
    }
    return HostBatch.dense(rows, d, x, y, w);
  }
}
