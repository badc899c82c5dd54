package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ArrowBatchCodec}: encode then decode gives back exactly the batch, dense or CSR. */
class ArrowBatchCodecTest extends ArrowAllocatorFixture {

  private static double[] doubles(Random r, int n) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextGaussian() * 1e3;
    }
    return a;
  }

  private HostBatch roundTrip(HostBatch b) {
    byte[] bytes = ArrowBatchCodec.encode(b, allocator);
    assertEquals(0, allocator.getAllocatedMemory(), "encode must release its Arrow buffers");
    HostBatch back = ArrowBatchCodec.decode(bytes, allocator);
    assertEquals(0, allocator.getAllocatedMemory(), "decode must release its Arrow buffers");
    return back;
  }

  @Test
  void denseRoundTripIsBitExact() {
    Random r = new Random(1);
    int rows = 37;
    int cols = 13;
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    // values whose bits must survive: signed zero, extremes, subnormals
    x[0] = -0f;
    x[1] = Float.MAX_VALUE;
    x[2] = -Float.MIN_VALUE;
    x[3] = Float.MIN_NORMAL;
    double[] y = doubles(r, rows);
    y[0] = 1e300;
    y[1] = -0.0;
    y[2] = 0.1; // not exact in float: labels are float64
    double[] w = doubles(r, rows);
    w[5] = 0.0;
    HostBatch back = roundTrip(HostBatch.dense(rows, cols, x.clone(), y.clone(), w.clone()));
    assertFalse(back.isSparse());
    assertEquals(rows, back.rows);
    assertEquals(cols, back.cols);
    assertArrayEquals(x, back.dense);
    assertArrayEquals(y, back.labels);
    assertArrayEquals(w, back.weights);
    assertNull(back.rowPtr);
  }

  @Test
  void sparseRoundTripKeepsEmptyRowsAndUnsortedColumns() {
    Random r = new Random(2);
    int rows = 12;
    int cols = 1000;
    int[] rowPtr = new int[rows + 1];
    int[] idx = new int[200];
    float[] val = new float[200];
    int p = 0;
    for (int i = 0; i < rows; i++) {
      int n = i == 0 || i == 4 || i == rows - 1 ? 0 : 1 + r.nextInt(9); // first, middle and last rows empty
      for (int q = 0; q < n; q++) {
        idx[p] = r.nextInt(cols);
        val[p] = (float) r.nextGaussian();
        p++;
      }
      rowPtr[i + 1] = p;
    }
    idx[1] = cols - 1; // the largest index
    // the arrays are longer than the non-zeros, as the writer's buffers are: the tail must not be encoded
    int nnz = p;
    Arrays.fill(idx, nnz, idx.length, 999_999);
    Arrays.fill(val, nnz, val.length, Float.NaN);
    double[] y = doubles(r, rows);
    double[] w = doubles(r, rows);
    HostBatch back = roundTrip(HostBatch.sparse(rows, cols, rowPtr.clone(), idx.clone(), val.clone(), y, w));
    assertTrue(back.isSparse());
    assertEquals(rows, back.rows);
    assertEquals(cols, back.cols, "numFeatures is kept even though no row uses every column");
    assertArrayEquals(rowPtr, back.rowPtr);
    assertArrayEquals(Arrays.copyOf(idx, nnz), back.colIndices);
    assertArrayEquals(Arrays.copyOf(val, nnz), back.values);
    assertArrayEquals(y, back.labels);
    assertArrayEquals(w, back.weights);
  }

  @Test
  void csrWithOnlyEmptyRowsRoundTrips() {
    int rows = 5;
    double[] y = {1, 0, 1, 1, 0};
    double[] w = {1, 2, 3, 4, 5};
    HostBatch back = roundTrip(HostBatch.sparse(rows, 7, new int[rows + 1], new int[0], new float[0], y, w));
    assertTrue(back.isSparse());
    assertEquals(7, back.cols);
    assertArrayEquals(new int[rows + 1], back.rowPtr);
    assertEquals(0, back.colIndices.length);
    assertEquals(0, back.values.length);
    assertEquals(0, back.nonZeros());
    assertArrayEquals(y, back.labels);
    assertArrayEquals(w, back.weights);
  }

  @Test
  void singleRowSingleFeature() {
    HostBatch back = roundTrip(HostBatch.dense(1, 1, new float[] {-3.5f}, new double[] {2}, new double[] {0.5}));
    assertArrayEquals(new float[] {-3.5f}, back.dense);
    assertArrayEquals(new double[] {2}, back.labels);
    assertArrayEquals(new double[] {0.5}, back.weights);
  }

  /**
   * A batch's stream must fit one Java array: the bound is the stream's own length, so the largest dense batch the
   * sizing rule allows at a 1 GiB budget is laid out (nothing is allocated), and so is a row whose stream comes
   * within 8 KiB of an array's limit, while a row whose values and bitmap alone pass it is refused.
   */
  @Test
  void aFrameIsRefusedOnlyWhenItsStreamOutgrowsAJavaArray() {
    // 10,000 features at 1 GiB: 1073741824 / 40016 = 26832 rows, 268,320,000 values
    int rows = BatchingOptions.denseRowsOfBatch(1L << 30, 10_000, 10);
    assertEquals(26_832, rows);
    ArrowBatchCodec.Frame frame = new ArrowBatchCodec.Frame(rows, 10_000, false, 0, allocator);
    // values, labels and weights, and the values' validity bitmap (one bit each), then headers of a few KiB
    long bodyAtLeast = 4L * frame.elements + 16L * rows + frame.elements / 8;
    assertEquals(1_107_249_312L, bodyAtLeast);
    assertTrue(frame.length > bodyAtLeast && frame.length < bodyAtLeast + (64 << 10), "length " + frame.length);
    assertTrue(frame.denseValuesAt() + 4L * frame.elements + 16L * rows + 8 <= frame.length,
        "values, labels, weights and the end marker fit after the values' start");
    // One row of c features takes 4c bytes of values and c/8 of their validity bitmap; a Java array holds
    // 2^31 - 9 = 2147483639 bytes. c = (2147483639 - 8192) * 8 / 33 = 520600108 leaves 8 KiB for the rest of the
    // stream; c = 2147483639 * 8 / 33 + 8 = 520602102 needs 2147483671 bytes for its values and bitmap alone.
    ArrowBatchCodec.Frame widest = new ArrowBatchCodec.Frame(1, 520_600_108, false, 0, allocator);
    assertTrue(widest.length <= Integer.MAX_VALUE - 8 && widest.length > Integer.MAX_VALUE - 8 - 8192,
        "length " + widest.length);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new ArrowBatchCodec.Frame(1, 520_602_102, false, 0, allocator));
    assertTrue(e.getMessage().contains("longer than a Java array holds"), e.getMessage());
  }
}
