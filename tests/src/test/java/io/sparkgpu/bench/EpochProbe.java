package io.sparkgpu.bench;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.train.EpochInput;
import io.sparkgpu.train.InputScaling;
import io.sparkgpu.train.LearningRateSchedule;
import io.sparkgpu.train.NetworkSpec;
import io.sparkgpu.train.PartitionTrainer;
import io.sparkgpu.train.PartitionUpdate;
import io.sparkgpu.train.ResidentPartition;
import io.sparkgpu.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A profiling probe, not a benchmark: times {@link PartitionTrainer#trainEpoch} directly, without Spark, on P2's
 * shape (binary logistic, dense, centred inputs as a fit with an intercept trains them, Adam, mini-batches of 1024),
 * one thread per partition as local[2] runs them, and prints each epoch's wall time, the trainers' own seconds and
 * the streaming bound of {@link Throughput#streamSeconds} for the same bytes. Arguments: rows (1000000), epochs
 * (20), partitions (2), features (100), loss (logistic | squared).
 */
public final class EpochProbe {
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private EpochProbe() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int parts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int d = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    Loss loss = args.length > 4 && args[4].equals("squared") ? Loss.SQUARED_ERROR : Loss.LOGISTIC;

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

    List<PartitionTrainer> trainers = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      ResidentPartition rp = ResidentPartition.build(backend, List.of(batches.get(p)), d, scaling, 0.0, 1.0, 7L, p,
          1L << 40);
      trainers.add(new PartitionTrainer(config, rp, p, parts));
    }
    batches.clear();
    long bytes = 4L * rows * d;
    ExecutorService pool = Executors.newFixedThreadPool(parts);
    try {
      float[] params = new float[n];
      float[] state = new float[2 * n];
      double stepsDone = 0;
      double[] wall = new double[epochs];
      double[] inTask = new double[epochs];
      double[] cpu = new double[epochs];
      for (int e = 1; e <= epochs; e++) {
        EpochInput in = new EpochInput(e, params, state, stepsDone);
        long t0 = System.nanoTime();
        List<Future<PartitionUpdate>> fs = new ArrayList<>();
        double[] cpuSeconds = new double[parts];
        for (int p = 0; p < parts; p++) {
          PartitionTrainer t = trainers.get(p);
          int slot = p;
          fs.add(pool.submit(() -> {
            long c0 = THREADS.getCurrentThreadCpuTime();
            PartitionUpdate u = t.trainEpoch(in);
            cpuSeconds[slot] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
            return u;
          }));
        }
        List<PartitionUpdate> ups = new ArrayList<>();
        for (Future<PartitionUpdate> f : fs) {
          ups.add(f.get());
        }
        wall[e - 1] = (System.nanoTime() - t0) / 1e9;
        for (double c : cpuSeconds) {
          cpu[e - 1] = Math.max(cpu[e - 1], c);
        }
        double lossSum = 0;
        double weight = 0;
        float[] avg = new float[n];
        float[] avgState = new float[2 * n];
        for (PartitionUpdate u : ups) {
          inTask[e - 1] = Math.max(inTask[e - 1], u.seconds());
          lossSum += u.lossSum();
          weight += u.lossWeight();
          for (int i = 0; i < n; i++) {
            avg[i] += u.params()[i] / parts;
          }
          for (int i = 0; i < avgState.length; i++) {
            avgState[i] += u.state()[i] / parts;
          }
          stepsDone += (double) u.steps() / parts;
        }
        params = avg;
        state = avgState;
        System.out.printf(Locale.ROOT, "epoch %2d: wall %.4f s, slowest trainer %.4f s (CPU %.4f s), mean loss %.6f%n",
            e, wall[e - 1], inTask[e - 1], cpu[e - 1], lossSum / weight);
      }
      double[] steadyWall = Arrays.copyOfRange(wall, 1, epochs);
      double[] steadyTask = Arrays.copyOfRange(inTask, 1, epochs);
      double w = Fits.median(steadyWall);
      double t = Fits.median(steadyTask);
      double c = Fits.median(Arrays.copyOfRange(cpu, 1, epochs));
      double bound = Throughput.streamSeconds(bytes);
      System.out.printf(Locale.ROOT, "median of epochs 2..%d: wall %.4f s = %.2f GB/s, slowest trainer %.4f s "
          + "(thread CPU %.4f s); streaming bound %.4f s = %.2f GB/s; wall at %.0f%% of the bound%n", epochs, w,
          bytes / w / 1e9, t, c, bound, bytes / bound / 1e9, 100 * bound / w);
    } finally {
      pool.shutdownNow();
      for (PartitionTrainer t : trainers) {
        t.close();
      }
    }
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
