package io.sparkgpu.bench;

import io.sparkgpu.arrow.ArrowAllocators;
import io.sparkgpu.arrow.ArrowBatchCodec;
import io.sparkgpu.arrow.ArrowBatchView;
import io.sparkgpu.arrow.BatchRecord;
import io.sparkgpu.arrow.BatchingOptions;
import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.train.InputScaling;
import io.sparkgpu.train.ResidentPartition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A profiling probe, not a benchmark: times the steps that make one partition resident (reading the cached records
 * back, decoding the Arrow batches, building the {@link ResidentPartition} on the CPU backend) without Spark, on a
 * seeded synthetic partition. Arguments: rows (default 500000), features (100), repetitions (7), sparse density
 * (0 = dense input), "decoded" to time the decode-then-build path instead of building from the encoded batches.
 */
public final class ResidentProbe {
  private ResidentProbe() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    double density = args.length > 3 ? Double.parseDouble(args[3]) : 0;
    boolean decoded = args.length > 4 && args[4].equals("decoded");
    List<byte[]> serialized = new ArrayList<>();
    long payload = 0;
    try (BufferAllocator a = ArrowAllocators.child("probe-encode", 4L << 30)) {
      int perBatch = BatchingOptions.denseRowsPerBatch(BatchingOptions.DEFAULT_MAX_BATCH_BYTES, d);
      Random r = new Random(7);
      for (int start = 0; start < rows; start += perBatch) {
        int n = Math.min(perBatch, rows - start);
        byte[] ipc = ArrowBatchCodec.encode(density > 0 ? sparse(r, n, d, density) : dense(r, n, d), a);
        payload += ipc.length;
        serialized.add(javaSerialize(BatchRecord.batch(ipc, false)));
      }
    }
    float[] scale = new float[d];
    for (int j = 0; j < d; j++) {
      scale[j] = 1f / (0.5f + j % 4);
    }
    InputScaling scaling = new InputScaling(scale, new float[d]);
    CpuBackend cpu = new CpuBackend();
    System.out.printf(Locale.ROOT, "%d rows x %d, %d batches, %.1f MB of IPC%n", rows, d, serialized.size(),
        payload / 1e6);
    double[][] t = new double[4][reps];
    for (int rep = 0; rep < reps; rep++) {
      long t0 = System.nanoTime();
      List<byte[]> ipc = new ArrayList<>();
      for (byte[] s : serialized) {
        ipc.add(((BatchRecord) javaDeserialize(s)).arrowBatch());
      }
      long t1 = System.nanoTime();
      List<HostBatch> batches = new ArrayList<>();
      List<ArrowBatchView> views = new ArrayList<>();
      if (decoded) {
        try (BufferAllocator a = ArrowAllocators.child("probe-decode",
            ArrowAllocators.decodingLimit(BatchingOptions.DEFAULT_MAX_BATCH_BYTES))) {
          for (byte[] b : ipc) {
            batches.add(ArrowBatchCodec.decode(b, a));
          }
        }
      } else {
        for (byte[] b : ipc) {
          views.add(ArrowBatchView.of(b));
        }
      }
      long t2 = System.nanoTime();
      try (ResidentPartition p = decoded
          ? ResidentPartition.build(cpu, batches, d, scaling, 0.5, 2.0, 42, 0, 512L << 20)
          : ResidentPartition.buildEncoded(cpu, views, d, scaling, 0.5, 2.0, 42, 0, 512L << 20)) {
        long t3 = System.nanoTime();
        t[0][rep] = (t1 - t0) / 1e9;
        t[1][rep] = (t2 - t1) / 1e9;
        t[2][rep] = (t3 - t2) / 1e9;
        t[3][rep] = (t3 - t0) / 1e9;
        System.out.printf(Locale.ROOT, "rep %d: deserialise %.3f s, decode %.3f s, build %.3f s, total %.3f s (%s)%n",
            rep, t[0][rep], t[1][rep], t[2][rep], t[3][rep], p.layout());
      }
    }
    System.out.printf(Locale.ROOT, "median: deserialise %.3f s, decode %.3f s, build %.3f s, total %.3f s%n",
        median(t[0]), median(t[1]), median(t[2]), median(t[3]));
    System.out.printf(Locale.ROOT, "min: deserialise %.3f s, decode %.3f s, build %.3f s, total %.3f s%n",
        min(t[0]), min(t[1]), min(t[2]), min(t[3]));
  }

  private static double min(double[] a) {
    return Arrays.stream(a).min().orElse(Double.NaN);
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static HostBatch dense(Random r, int n, int d) {
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return HostBatch.dense(n, d, x, labels(r, n), weights(n));
  }

  private static HostBatch sparse(Random r, int n, int d, double density) {
    int[] rowPtr = new int[n + 1];
    int[] idx = new int[(int) (n * (d * density + 4))];
    float[] val = new float[idx.length];
    int p = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        if (r.nextDouble() < density && p < idx.length) {
          idx[p] = j;
          val[p] = (float) r.nextGaussian();
          p++;
        }
      }
      rowPtr[i + 1] = p;
    }
    return HostBatch.sparse(n, d, rowPtr, idx, val, labels(r, n), weights(n));
  }

  private static double[] labels(Random r, int n) {
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(2);
    }
    return y;
  }

  private static double[] weights(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1.0);
    return w;
  }

  private static byte[] javaSerialize(Object o) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectOutputStream s = new ObjectOutputStream(out)) {
      s.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Object javaDeserialize(byte[] b) throws IOException, ClassNotFoundException {
    try (ObjectInputStream s = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return s.readObject();
    }
  }
}
