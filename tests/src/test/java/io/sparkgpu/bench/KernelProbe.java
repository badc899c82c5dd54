package io.sparkgpu.bench;

import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.cpu.CpuBackend;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A profiling probe, not a benchmark: the CPU backend's fused linear pass ({@code linearLossAndGradient}) alone, on
 * one thread, over P2's shape (dense Gaussian rows, binary labels, mini-batches of 1024 visited in order), timed in
 * thread CPU time, which the other work on a shared machine disturbs less than wall time. "stream" passes over
 * {@code rows} rows once per round, so they come from memory; "cache" passes over the same 1024 rows as often, so
 * they stay in cache and only the arithmetic is timed. Arguments: rows (500000), features (100), rounds (20), mode
 * (stream | cache), loss (logistic | squared).
 */
public final class KernelProbe {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int BATCH = 1024;

  private KernelProbe() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    boolean cache = args.length > 3 && args[3].equals("cache");
    Loss loss = args.length > 4 && args[4].equals("squared") ? Loss.SQUARED_ERROR : Loss.LOGISTIC;
    int dataRows = cache ? Math.min(BATCH, rows) : rows;
    Random r = new Random(1);
    float[] x = new float[dataRows * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    float[] y = new float[dataRows];
    float[] w = new float[dataRows];
    for (int i = 0; i < dataRows; i++) {
      y[i] = loss == Loss.LOGISTIC ? (r.nextBoolean() ? 1f : 0f) : (float) r.nextGaussian();
      w[i] = 1f;
    }
    float[] p = new float[d + 1];
    for (int j = 0; j <= d; j++) {
      p[j] = (float) (0.3 * r.nextGaussian());
    }
    CpuBackend backend = new CpuBackend();
    DenseMatrix xs = backend.uploadOwned(x, dataRows, d);
    DenseMatrix ys = backend.uploadOwned(y, dataRows, 1);
    DenseMatrix ws = backend.uploadOwned(w, dataRows, 1);
    DenseMatrix params = backend.uploadOwned(p, 1, d + 1);
    DenseMatrix grads = backend.allocate(1, d + 1);
    DenseMatrix work = backend.allocate(1, 2 * BATCH + 1);
    double[] seconds = new double[rounds];
    double sink = 0;
    for (int round = 0; round < rounds; round++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      for (int start = 0; start < rows; start += BATCH) {
        int n = Math.min(BATCH, rows - start);
        int at = cache ? 0 : start;
        sink += backend.linearLossAndGradient(loss, xs.rowRange(at, n), null, ys.rowRange(at, n), ws.rowRange(at, n),
            null, true, 1f / n, params, grads, work);
      }
      seconds[round] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
      System.out.printf(Locale.ROOT, "round %2d: %.4f s CPU%n", round + 1, seconds[round]);
    }
    double[] steady = Arrays.copyOfRange(seconds, Math.min(rounds - 1, rounds / 2), rounds);
    double median = Fits.median(steady);
    System.out.printf(Locale.ROOT, "%s %s, %d rows x %d: median of the last %d rounds %.4f s CPU = %.1f ns/row "
        + "(%.2f GB/s of features); loss sum %.6g%n", cache ? "in cache" : "streaming", loss, rows, d, steady.length,
        median, median / rows * 1e9, 4.0 * rows * d / median / 1e9, sink / rounds);
  }
}
