package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrowBatchView} reads exactly what {@link ArrowBatchCodec#encode} wrote, and the same values as Arrow's own
 * reader ({@link ArrowBatchCodec#decode}), without allocating Arrow memory.
 */
class ArrowBatchViewTest extends ArrowAllocatorFixture {

  private static double[] doubles(Random r, int n) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextGaussian() * 1e3;
    }
    return a;
  }

  private ArrowBatchView view(byte[] bytes) {
    ArrowBatchView v = ArrowBatchView.of(bytes);
    assertEquals(0, allocator.getAllocatedMemory(), "a view holds no Arrow memory");
    return v;
  }

  private static void assertSameBatch(HostBatch expected, HostBatch actual) {
    assertEquals(expected.rows, actual.rows);
    assertEquals(expected.cols, actual.cols);
    assertEquals(expected.isSparse(), actual.isSparse());
    assertArrayEquals(expected.labels, actual.labels);
    assertArrayEquals(expected.weights, actual.weights);
    if (expected.isSparse()) {
      int nnz = expected.rowPtr[expected.rows];
      assertArrayEquals(expected.rowPtr, actual.rowPtr);
      assertArrayEquals(Arrays.copyOf(expected.colIndices, nnz), Arrays.copyOf(actual.colIndices, nnz));
      assertArrayEquals(Arrays.copyOf(expected.values, nnz), Arrays.copyOf(actual.values, nnz));
    } else {
      assertArrayEquals(expected.dense, actual.dense);
    }
  }

  @Test
  void denseValuesLabelsAndWeightsAreReadBitExact() {
    Random r = new Random(11);
    int rows = 41;
    int cols = 9;
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    x[0] = -0f;
    x[1] = Float.MAX_VALUE;
    x[2] = -Float.MIN_VALUE;
    x[3] = Float.NaN;
    double[] y = doubles(r, rows);
    y[1] = -0.0;
    double[] w = doubles(r, rows);
    HostBatch in = HostBatch.dense(rows, cols, x.clone(), y.clone(), w.clone());
    byte[] bytes = ArrowBatchCodec.encode(in, allocator);
    ArrowBatchView v = view(bytes);
    assertFalse(v.isSparse());
    assertEquals(rows, v.rows);
    assertEquals(cols, v.cols);
    assertEquals((long) rows * cols, v.storedValues());
    float[] row = new float[cols + 2];
    for (int i = 0; i < rows; i++) {
      assertEquals(Double.doubleToRawLongBits(y[i]), Double.doubleToRawLongBits(v.label(i)), "label " + i);
      assertEquals(Double.doubleToRawLongBits(w[i]), Double.doubleToRawLongBits(v.weight(i)), "weight " + i);
      for (int j = 0; j < cols; j++) {
        assertEquals(Float.floatToRawIntBits(x[i * cols + j]), Float.floatToRawIntBits(v.value(i, j)));
      }
      Arrays.fill(row, 7f);
      v.copyRow(i, row, 1);
      assertEquals(7f, row[0], "copyRow writes only its row");
      assertEquals(7f, row[cols + 1], "copyRow writes only its row");
      assertArrayEquals(Arrays.copyOfRange(x, i * cols, (i + 1) * cols), Arrays.copyOfRange(row, 1, cols + 1));
    }
    assertSameBatch(in, hostBatchOf(v));
    assertSameBatch(ArrowBatchCodec.decode(bytes, allocator), hostBatchOf(v));
  }

  @Test
  void sparseEntriesKeepEmptyRowsStoredZerosAndUnsortedColumns() {
    Random r = new Random(12);
    int rows = 15;
    int cols = 500;
    int[] rowPtr = new int[rows + 1];
    int[] idx = new int[200];
    float[] val = new float[200];
    int p = 0;
    for (int i = 0; i < rows; i++) {
      int n = i == 0 || i == 6 || i == rows - 1 ? 0 : 1 + r.nextInt(8);
      for (int q = 0; q < n; q++) {
        idx[p] = r.nextInt(cols);
        val[p] = q == 1 ? 0f : (float) r.nextGaussian(); // stored zeros are entries like any other
        p++;
      }
      rowPtr[i + 1] = p;
    }
    int nnz = p;
    Arrays.fill(val, nnz, val.length, Float.NaN); // the tail beyond the non-zeros is not encoded
    double[] y = doubles(r, rows);
    double[] w = doubles(r, rows);
    HostBatch in = HostBatch.sparse(rows, cols, rowPtr.clone(), idx.clone(), val.clone(), y.clone(), w.clone());
    byte[] bytes = ArrowBatchCodec.encode(in, allocator);
    ArrowBatchView v = view(bytes);
    assertTrue(v.isSparse());
    assertEquals(cols, v.cols);
    assertEquals(nnz, v.storedValues());
    for (int i = 0; i <= rows; i++) {
      assertEquals(rowPtr[i], v.rowStart(i), "row start " + i);
    }
    for (int q = 0; q < nnz; q++) {
      assertEquals(idx[q], v.index(q));
      assertEquals(Float.floatToRawIntBits(val[q]), Float.floatToRawIntBits(v.entry(q)));
    }
    for (int i = 0; i < rows; i++) {
      assertEquals(y[i], v.label(i));
      assertEquals(w[i], v.weight(i));
    }
    assertSameBatch(in, hostBatchOf(v));
    assertSameBatch(ArrowBatchCodec.decode(bytes, allocator), hostBatchOf(v));
  }

  @Test
  void csrWithOnlyEmptyRows() {
    double[] y = {1, 0, 1};
    double[] w = {1, 2, 3};
    HostBatch in = HostBatch.sparse(3, 4, new int[4], new int[0], new float[0], y, w);
    ArrowBatchView v = view(ArrowBatchCodec.encode(in, allocator));
    assertEquals(0, v.storedValues());
    assertSameBatch(in, hostBatchOf(v));
  }

  @Test
  void batchesWithoutRows() {
    HostBatch dense = HostBatch.dense(0, 3, new float[0], new double[0], new double[0]);
    ArrowBatchView d = view(ArrowBatchCodec.encode(dense, allocator));
    assertEquals(0, d.rows);
    assertEquals(3, d.cols);
    assertSameBatch(dense, hostBatchOf(d));
    HostBatch sparse = HostBatch.sparse(0, 5, new int[1], new int[0], new float[0], new double[0], new double[0]);
    ArrowBatchView s = view(ArrowBatchCodec.encode(sparse, allocator));
    assertEquals(0, s.rows);
    assertEquals(0, s.storedValues());
    assertSameBatch(sparse, hostBatchOf(s));
  }

  @Test
  void truncatedOrForeignBytesAreRefused() {
    HostBatch in = HostBatch.dense(20, 4, new float[80], new double[20], new double[20]);
    byte[] bytes = ArrowBatchCodec.encode(in, allocator);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArrowBatchView.of(Arrays.copyOf(bytes, bytes.length - 200)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertThrows(RuntimeException.class, () -> ArrowBatchView.of(new byte[64]));
  }

  /** Every value the view reads, as a HostBatch, to compare with the encoder's input and with Arrow's reader. */
  private static HostBatch hostBatchOf(ArrowBatchView v) {
    double[] labels = new double[v.rows];
    double[] weights = new double[v.rows];
    for (int r = 0; r < v.rows; r++) {
      labels[r] = v.label(r);
      weights[r] = v.weight(r);
    }
    if (!v.isSparse()) {
      float[] dense = new float[v.rows * v.cols];
      for (int r = 0; r < v.rows; r++) {
        v.copyRow(r, dense, r * v.cols);
      }
      return HostBatch.dense(v.rows, v.cols, dense, labels, weights);
    }
    int[] rowPtr = new int[v.rows + 1];
    for (int r = 1; r <= v.rows; r++) {
      rowPtr[r] = v.rowStart(r);
    }
    int nnz = rowPtr[v.rows];
    int[] idx = new int[nnz];
    float[] vals = new float[nnz];
    for (int p = 0; p < nnz; p++) {
      idx[p] = v.index(p);
      vals[p] = v.entry(p);
    }
    return HostBatch.sparse(v.rows, v.cols, rowPtr, idx, vals, labels, weights);
  }
}
