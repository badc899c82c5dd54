package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrowBatchWriter}: how rows are split into batches, how dense and sparse rows mix in one batch, and that
 * every bad value is refused with a message naming the column, the row and the partition.
 */
class ArrowBatchWriterTest extends ArrowAllocatorFixture {

  private static BatchingOptions options(LabelKind kind, long maxBatchBytes) {
    return new BatchingOptions("feats", "target", "w", kind, maxBatchBytes);
  }

  /** Appends rows, flushing whenever the writer says it is full, as the batching pass does. */
  private List<HostBatch> writeAll(ArrowBatchWriter writer, int rows, Consumer<Integer> append) {
    List<HostBatch> batches = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      append.accept(i);
      if (writer.isFull()) {
        batches.add(ArrowBatchCodec.decode(writer.flush(), allocator));
      }
    }
    byte[] last = writer.flush();
    if (last != null) {
      batches.add(ArrowBatchCodec.decode(last, allocator));
    }
    assertNull(writer.flush(), "an empty writer has nothing to flush");
    return batches;
  }

  @Test
  void aFullDenseBatchRefusesAnotherRowUntilFlushed() {
    // 4 features in 1 KiB: 1024 / 32 = 32 rows, written into a stream laid out for exactly 32
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 1024), 0);
    for (int i = 0; i < 32; i++) {
      assertFalse(writer.isFull());
      writer.appendDense(new double[] {i, 1, 2, 3}, i, 1.0);
    }
    assertTrue(writer.isFull());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> writer.appendDense(new double[] {32, 1, 2, 3}, 32, 1.0));
    assertTrue(e.getMessage().contains("flush"), e.getMessage());
    HostBatch full = ArrowBatchCodec.decode(writer.flush(), allocator);
    assertEquals(32, full.rows);
    assertEquals(31f, full.dense[31 * 4]);
    writer.appendDense(new double[] {32, 1, 2, 3}, 32, 1.0);
    assertEquals(32f, ArrowBatchCodec.decode(writer.flush(), allocator).dense[0]);
  }

  @Test
  void aPartitionsDenseBatchesGrowFrom4MiBToTheBudget() {
    // 64 features: 4·64 + 16 = 272 bytes per row. Budgets 4, 8 and 16 MiB: 4194304 / 272 = 15420.2,
    // 8388608 / 272 = 30840.5, 16777216 / 272 = 61680.9 rows; then 16 MiB again, and 7 rows left over.
    int d = 64;
    int[] expected = {15_420, 30_840, 61_680, 61_680, 7};
    int total = 0;
    for (int n : expected) {
      total += n;
    }
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 16L << 20), 0);
    double[] x = new double[d];
    List<HostBatch> batches = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      for (int j = 0; j < d; j++) {
        x[j] = ((i * 31 + j * 7) % 1001) / 7.0 - 50;
      }
      writer.appendDense(x, i, 1.0);
      if (writer.isFull()) {
        batches.add(ArrowBatchCodec.decode(writer.flush(), allocator));
      }
    }
    batches.add(ArrowBatchCodec.decode(writer.flush(), allocator));
    assertArrayEquals(expected, batches.stream().mapToInt(b -> b.rows).toArray());
    int row = 0;
    for (HostBatch b : batches) {
      for (int i = 0; i < b.rows; i++, row++) {
        assertEquals(row, b.labels[i]);
        for (int j = 0; j < d; j += 9) {
          assertEquals((float) (((row * 31 + j * 7) % 1001) / 7.0 - 50), b.dense[i * d + j], "row " + row);
        }
      }
    }
  }

  @Test
  void denseRowsSplitAtTheByteBudget() {
    // 4 features: 4·4 + 16 = 32 bytes per row, 1024 / 32 = 32 rows per batch; 100 rows = 32 + 32 + 32 + 4
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 1024), 0);
    Random r = new Random(1);
    double[][] x = new double[100][4];
    double[] y = new double[100];
    List<Integer> fullAfter = new ArrayList<>();
    List<HostBatch> batches = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i] = r.nextGaussian();
      writer.appendDense(x[i], y[i], 1.0);
      if (writer.isFull()) {
        fullAfter.add(i + 1);
        assertTrue(writer.bufferedBytes() <= 1024, "a full batch holds " + writer.bufferedBytes() + " bytes");
        batches.add(ArrowBatchCodec.decode(writer.flush(), allocator));
      }
    }
    batches.add(ArrowBatchCodec.decode(writer.flush(), allocator));
    assertEquals(List.of(32, 64, 96), fullAfter);
    int[] sizes = batches.stream().mapToInt(b -> b.rows).toArray();
    assertArrayEquals(new int[] {32, 32, 32, 4}, sizes);
    assertEquals(4, writer.statistics().batches());
    assertEquals(100, writer.statistics().rows());
    int row = 0;
    for (HostBatch b : batches) {
      assertFalse(b.isSparse());
      for (int i = 0; i < b.rows; i++, row++) {
        for (int j = 0; j < 4; j++) {
          assertEquals((float) x[row][j], b.dense[i * 4 + j], "row " + row + " feature " + j);
        }
        assertEquals(y[row], b.labels[i]);
      }
    }
  }

  @Test
  void rowsWiderThanTheBudgetGoOnePerBatch() {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 1024), 0);
    List<HostBatch> batches = writeAll(writer, 3, i -> writer.appendDense(new double[300], i, 1.0));
    assertEquals(3, batches.size());
    for (HostBatch b : batches) {
      assertEquals(1, b.rows);
    }
  }

  @Test
  void sparseRowsSplitAtTheByteBudget() {
    // 3 non-zeros per row: 8·3 (index + value) + 4 (row pointer) + 16 (label, weight) = 44 bytes per row. The
    // writer keeps room for one more row of up to 10 non-zeros (8·10 + 20 = 100 bytes), so it is full once
    // 44·r + 100 > 1024, i.e. at r = 22; 50 rows = 22 + 22 + 6
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 1024), 0);
    int[][] idx = new int[50][];
    double[][] val = new double[50][];
    Random r = new Random(2);
    List<HostBatch> batches = writeAll(writer, 50, i -> {
      idx[i] = new int[] {i % 3, 4 + i % 2, 9};
      val[i] = new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
      writer.appendSparse(10, idx[i], val[i], 3, i, 1.0);
    });
    assertArrayEquals(new int[] {22, 22, 6}, batches.stream().mapToInt(b -> b.rows).toArray());
    int row = 0;
    for (HostBatch b : batches) {
      assertTrue(b.isSparse());
      assertEquals(10, b.cols);
      for (int i = 0; i < b.rows; i++, row++) {
        assertEquals(3 * i, b.rowPtr[i]);
        for (int q = 0; q < 3; q++) {
          assertEquals(idx[row][q], b.colIndices[3 * i + q]);
          assertEquals((float) val[row][q], b.values[3 * i + q]);
        }
        assertEquals(row, b.labels[i]);
      }
    }
  }

  @Test
  void sparseRowsJoinADenseBatchAndDenseRowsASparseOne() {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 1 << 20), 3);
    // first a batch of dense rows full of non-zeros, so stale values would show in the next batch
    for (int i = 0; i < 4; i++) {
      writer.appendDense(new double[] {9, 9, 9, 9, 9}, 0, 1);
    }
    assertNotNullBatch(writer.flush());

    // dense first: the sparse row is spread into a dense row
    writer.appendDense(new double[] {1, 0, 2, 0, 0}, 1, 1);
    writer.appendSparse(5, new int[] {1, 4}, new double[] {-1, 3}, 2, 2, 1);
    writer.appendDense(new double[] {0, 0, 0, 0, 5}, 3, 1);
    HostBatch dense = ArrowBatchCodec.decode(writer.flush(), allocator);
    assertFalse(dense.isSparse());
    assertArrayEquals(new float[] {1, 0, 2, 0, 0, 0, -1, 0, 0, 3, 0, 0, 0, 0, 5}, dense.dense);
    assertArrayEquals(new double[] {1, 2, 3}, dense.labels);

    // sparse first: the dense rows contribute their non-zeros only, in column order
    writer.appendSparse(5, new int[] {0, 3}, new double[] {7, 8}, 2, 4, 1);
    writer.appendDense(new double[] {0, 6, 0, 0, -2}, 5, 1);
    writer.appendDense(new double[] {0, 0, 0, 0, 0}, 6, 1);
    writer.appendSparse(5, new int[] {2}, new double[] {1}, 1, 7, 1);
    HostBatch sparse = ArrowBatchCodec.decode(writer.flush(), allocator);
    assertTrue(sparse.isSparse());
    assertArrayEquals(new int[] {0, 2, 4, 4, 5}, sparse.rowPtr);
    assertArrayEquals(new int[] {0, 3, 1, 4, 2}, sparse.colIndices);
    assertArrayEquals(new float[] {7, 8, 6, -2, 1}, sparse.values);
    assertArrayEquals(new double[] {4, 5, 6, 7}, sparse.labels);

    PartitionStatistics s = writer.statistics();
    assertEquals(11, s.rows());
    assertEquals(3, s.batches());
    assertTrue(s.anySparse());
    assertEquals(5, s.numFeatures());
    assertEquals(20 + 5 + 5, s.nonZeros(), "non-zero values seen, whatever the batch layout");
  }

  private static void assertNotNullBatch(byte[] bytes) {
    assertTrue(bytes != null && bytes.length > 0);
  }

  @Test
  void denseOnlyInputIsNotMarkedSparse() {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 4096), 0);
    writeAll(writer, 10, i -> writer.appendDense(new double[] {i, 0}, i, 1));
    assertFalse(writer.statistics().anySparse());
    assertEquals(9, writer.statistics().nonZeros());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Errors: each names the column, the row (within the partition) and the partition

  private ArrowBatchWriter writerWithThreeGoodRows(LabelKind kind) {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(kind, 1 << 20), 7);
    writer.appendDense(new double[] {1, 2, 3, 4}, 1, 1);
    writer.appendSparse(4, new int[] {0, 2}, new double[] {5, 6}, 2, 0, 2);
    writer.appendDense(new double[] {0, 0, 0, 1}, 1, 0);
    return writer;
  }

  private void assertRefused(LabelKind kind, Consumer<ArrowBatchWriter> badRow, String column, String... more) {
    ArrowBatchWriter writer = writerWithThreeGoodRows(kind);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> badRow.accept(writer));
    String m = e.getMessage();
    assertTrue(m.contains("Column '" + column + "'"), "names the column '" + column + "': " + m);
    assertTrue(m.contains("row 3 "), "names the row: " + m);
    assertTrue(m.contains("partition 7"), "names the partition: " + m);
    for (String s : more) {
      assertTrue(m.contains(s), "mentions '" + s + "': " + m);
    }
  }

  @Test
  void nonFiniteFeaturesAreRefused() {
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 2, Double.NaN, 4}, 0, 1), "feats",
        "NaN", "feature 2");
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {Double.NEGATIVE_INFINITY, 2, 3, 4}, 0, 1),
        "feats", "-Infinity", "feature 0");
    assertRefused(LabelKind.REAL,
        w -> w.appendSparse(4, new int[] {1, 3}, new double[] {1, Double.POSITIVE_INFINITY}, 2, 0, 1), "feats",
        "Infinity", "feature 3");
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 1e39, 3, 4}, 0, 1), "feats", "float32");
  }

  @Test
  void nonFiniteLabelsAreRefused() {
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 2, 3, 4}, Double.NaN, 1), "target", "NaN");
    assertRefused(LabelKind.REAL,
        w -> w.appendSparse(4, new int[] {0}, new double[] {1}, 1, Double.POSITIVE_INFINITY, 1), "target",
        "Infinity");
  }

  @Test
  void badWeightsAreRefused() {
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 2, 3, 4}, 0, -0.5), "w", "-0.5");
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 2, 3, 4}, 0, Double.NaN), "w", "NaN");
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 2, 3, 4}, 0, Double.POSITIVE_INFINITY),
        "w", "Infinity");
  }

  @Test
  void classLabelsMustBeWholeNonNegativeNumbers() {
    assertRefused(LabelKind.CLASS_INDEX, w -> w.appendDense(new double[] {1, 2, 3, 4}, 1.5, 1), "target", "1.5");
    assertRefused(LabelKind.CLASS_INDEX, w -> w.appendDense(new double[] {1, 2, 3, 4}, -1, 1), "target", "-1");
    assertRefused(LabelKind.CLASS_INDEX, w -> w.appendDense(new double[] {1, 2, 3, 4}, 1 << 24, 1), "target");
    // the same values are fine as real labels, and whole numbers are fine as classes
    ArrowBatchWriter real = writerWithThreeGoodRows(LabelKind.REAL);
    real.appendDense(new double[] {1, 2, 3, 4}, 1.5, 1);
    real.appendDense(new double[] {1, 2, 3, 4}, -1, 1);
    ArrowBatchWriter classes = writerWithThreeGoodRows(LabelKind.CLASS_INDEX);
    classes.appendDense(new double[] {1, 2, 3, 4}, 16_777_215, 1);
    assertEquals(4, classes.statistics().rows());
    real.flush();
    classes.flush();
  }

  @Test
  void vectorsOfAnotherSizeAreRefused() {
    assertRefused(LabelKind.REAL, w -> w.appendDense(new double[] {1, 2, 3, 4, 5}, 0, 1), "feats", "5 features",
        "4");
    assertRefused(LabelKind.REAL, w -> w.appendSparse(3, new int[] {0}, new double[] {1}, 1, 0, 1), "feats",
        "3 features");
  }

  @Test
  void indicesOutsideTheVectorAreRefused() {
    assertRefused(LabelKind.REAL, w -> w.appendSparse(4, new int[] {1, 4}, new double[] {1, 1}, 2, 0, 1), "feats",
        "index 4", "size 4");
    assertRefused(LabelKind.REAL, w -> w.appendSparse(4, new int[] {-1}, new double[] {1}, 1, 0, 1), "feats",
        "index -1");
  }

  @Test
  void anEmptyFirstVectorIsRefused() {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(LabelKind.REAL, 4096), 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> writer.appendDense(new double[0], 0, 1));
    assertTrue(e.getMessage().contains("Column 'feats'") && e.getMessage().contains("row 0 ")
        && e.getMessage().contains("partition 2"), e.getMessage());
  }
}
