package io.sparkgpu.bench;

import io.sparkgpu.backend.Loss;
import java.util.Arrays;
import java.util.Locale;

/**
 * A profiling probe, not a benchmark: times {@link io.sparkgpu.train.PartitionTrainer#trainEpoch} directly, without
 * Spark, on P2's shape ({@link ResidentTrainers}), one thread per partition as local[2] runs them, and prints each
 * epoch's wall time and the slowest trainer's own seconds beside a streaming pass over the same resident arrays, then
 * the streaming bound of {@link Throughput#streamSeconds} over fresh arrays of as many bytes. Arguments: rows
 * (1000000), epochs (20), partitions (2), features (100), loss (logistic | squared).
 */
public final class EpochProbe {
  private EpochProbe() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int parts = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int d = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    Loss loss = args.length > 4 && args[4].equals("squared") ? Loss.SQUARED_ERROR : Loss.LOGISTIC;
    try (ResidentTrainers trainers = new ResidentTrainers(rows, parts, d, loss, epochs)) {
      long bytes = trainers.featureBytes();
      double[] wall = new double[epochs];
      double[] inTask = new double[epochs];
      double[] same = new double[epochs];
      for (int e = 1; e <= epochs; e++) {
        ResidentTrainers.Epoch ep = trainers.epoch();
        wall[e - 1] = ep.wallSeconds();
        inTask[e - 1] = ep.slowestTrainerSeconds();
        same[e - 1] = trainers.sameBytesSumSeconds();
        System.out.printf(Locale.ROOT, "epoch %2d: wall %.4f s, slowest trainer %.4f s, mean loss %.6f; sum over the "
            + "same arrays %.4f s%n", e, wall[e - 1], inTask[e - 1], ep.meanLoss(), same[e - 1]);
      }
      double w = Fits.median(Arrays.copyOfRange(wall, 1, epochs));
      double t = Fits.median(Arrays.copyOfRange(inTask, 1, epochs));
      double sb = Fits.median(Arrays.copyOfRange(same, 1, epochs));
      double bound = Throughput.streamSeconds(bytes);
      System.out.printf(Locale.ROOT, "median of epochs 2..%d: wall %.4f s = %.2f GB/s, slowest trainer %.4f s; bound "
          + "over the same arrays %.4f s = %.2f GB/s (wall at %.0f%% of it); over fresh arrays %.4f s = %.2f GB/s%n",
          epochs, w, bytes / w / 1e9, t, sb, bytes / sb / 1e9, 100 * sb / w, bound, bytes / bound / 1e9);
    }
  }
}
