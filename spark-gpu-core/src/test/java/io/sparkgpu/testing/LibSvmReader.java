package io.sparkgpu.testing;

import io.sparkgpu.arrow.HostBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads a libsvm file (optionally gzipped) into sparse host batches, mapping labels -1/+1 to 0/1 if asked. */
public final class LibSvmReader {
  private LibSvmReader() {}

  /** All rows in one sparse batch of width {@code numFeatures} (1-based indices in the file). */
  public static HostBatch read(Path file, int numFeatures, boolean binaryZeroOne) throws IOException {
    List<Double> labels = new ArrayList<>();
    List<int[]> idx = new ArrayList<>();
    List<float[]> val = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        line = line.trim();
        if (line.isEmpty()) {
          continue;
        }
        String[] parts = line.split("\\s+");
        double y = Double.parseDouble(parts[0]);
        if (binaryZeroOne) {
          y = y > 0 ? 1.0 : 0.0;
        }
        int[] ii = new int[parts.length - 1];
        float[] vv = new float[parts.length - 1];
        for (int p = 1; p < parts.length; p++) {
          int colon = parts[p].indexOf(':');
          ii[p - 1] = Integer.parseInt(parts[p].substring(0, colon)) - 1;
          vv[p - 1] = Float.parseFloat(parts[p].substring(colon + 1));
        }
        labels.add(y);
        idx.add(ii);
        val.add(vv);
      }
    }
    int rows = labels.size();
    int[] rowPtr = new int[rows + 1];
    for (int i = 0; i < rows; i++) {
      rowPtr[i + 1] = rowPtr[i] + idx.get(i).length;
    }
    int[] cols = new int[rowPtr[rows]];
    float[] vals = new float[rowPtr[rows]];
    double[] y = new double[rows];
    double[] w = new double[rows];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(idx.get(i), 0, cols, rowPtr[i], idx.get(i).length);
      System.arraycopy(val.get(i), 0, vals, rowPtr[i], val.get(i).length);
      y[i] = labels.get(i);
      w[i] = 1.0;
    }
    return HostBatch.sparse(rows, numFeatures, rowPtr, cols, vals, y, w);
  }

  /** Rows [from, to) of a batch, as a new batch. */
  public static HostBatch slice(HostBatch b, int from, int to) {
    int rows = to - from;
    double[] y = java.util.Arrays.copyOfRange(b.labels, from, to);
    double[] w = java.util.Arrays.copyOfRange(b.weights, from, to);
    if (!b.isSparse()) {
      return HostBatch.dense(rows, b.cols, java.util.Arrays.copyOfRange(b.dense, from * b.cols, to * b.cols), y, w);
    }
    int[] rowPtr = new int[rows + 1];
    for (int i = 0; i <= rows; i++) {
      rowPtr[i] = b.rowPtr[from + i] - b.rowPtr[from];
    }
    int[] cols = java.util.Arrays.copyOfRange(b.colIndices, b.rowPtr[from], b.rowPtr[to]);
    float[] vals = java.util.Arrays.copyOfRange(b.values, b.rowPtr[from], b.rowPtr[to]);
    return HostBatch.sparse(rows, b.cols, rowPtr, cols, vals, y, w);
  }
}
