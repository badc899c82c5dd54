package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * The batching fast path: rows written through one reused buffer, converted and checked in one pass just past the
 * batch's end. A row skipped as invalid must leave no trace: the batches and statistics of a pass over valid and
 * invalid rows equal those of a pass over the valid rows alone. Also the encoder's bulk copies from arrays longer
 * than the batch, and the per-class weights.
 */
class ReusedBufferBatchingTest extends ArrowAllocatorFixture {
  private static final int D = 6;

  private static BatchingOptions options(long maxBatchBytes) {
    return new BatchingOptions("feats", "target", "w", LabelKind.CLASS_INDEX, maxBatchBytes)
        .withInvalidRows(InvalidRows.SKIP);
  }

  /** One input row: dense, or sparse (indices and values), with label and weight. */
  private record Row(boolean sparse, double[] dense, int[] indices, double[] values, double label, double weight) {}

  /**
   * Seeded rows, about a third sparse, with invalid rows mixed in when {@code invalid} (a NaN or infinite value at a
   * random position, a NaN label, a fractional class label, a negative weight). The valid rows are the same with
   * or without the invalid ones.
   */
  private static List<Row> rows(long seed, boolean invalid, boolean startSparse) {
    Random r = new Random(seed);
    Random bad = new Random(seed + 1);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      if (invalid && (i == 0 || bad.nextInt(4) == 0)) {
        out.add(invalidRow(bad, i == 0 ? !startSparse : bad.nextBoolean()));
      }
      boolean sparse = i == 0 ? startSparse : r.nextInt(3) == 0;
      double label = r.nextInt(3);
      double weight = r.nextInt(5) == 0 ? 0.0 : 0.5 + r.nextDouble();
      if (sparse) {
        int nnz = r.nextInt(D + 1);
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int j = 0;
        for (int q = 0; q < nnz; q++) {
          j += q == 0 ? r.nextInt(D - nnz + 1) : 1;
          idx[q] = j;
          val[q] = r.nextInt(4) == 0 ? 0.0 : r.nextGaussian() * 100; // explicit zeros too
        }
        out.add(new Row(true, null, idx, val, label, weight));
      } else {
        double[] x = new double[D];
        for (int j = 0; j < D; j++) {
          x[j] = r.nextInt(3) == 0 ? 0.0 : r.nextGaussian() * 100;
        }
        out.add(new Row(false, x, null, null, label, weight));
      }
    }
    return out;
  }

  private static Row invalidRow(Random bad, boolean sparse) {
    double[] x = new double[D];
    for (int j = 0; j < D; j++) {
      x[j] = 1e6 * (j + 1); // large values, so that a trace left in the buffers or sums would show
    }
    double label = 1;
    double weight = 1;
    switch (bad.nextInt(4)) {
      case 0:
        x[bad.nextInt(D)] = bad.nextBoolean() ? Double.NaN : Double.NEGATIVE_INFINITY;
        break;
      case 1:
        label = Double.NaN;
        break;
      case 2:
        label = 1.5;
        break;
      default:
        weight = -1;
    }
    if (sparse) {
      int[] idx = new int[D];
      for (int j = 0; j < D; j++) {
        idx[j] = j;
      }
      return new Row(true, null, idx, x, label, weight);
    }
    return new Row(false, x, null, null, label, weight);
  }

  /** The encoded streams of the last {@link #write}, in order. */
  private List<byte[]> lastStreams;

  /** Writes every row through one reused buffer (longer than a row, with stale values), as the batching pass does. */
  private List<HostBatch> write(ArrowBatchWriter writer, List<Row> rows) {
    lastStreams = new ArrayList<>();
    double[] buffer = new double[3 * D];
    int[] indexBuffer = new int[3 * D];
    Arrays.fill(buffer, 7e7);
    Arrays.fill(indexBuffer, D - 1);
    List<HostBatch> batches = new ArrayList<>();
    for (Row row : rows) {
      if (row.sparse()) {
        int nnz = row.indices().length;
        System.arraycopy(row.indices(), 0, indexBuffer, 0, nnz);
        System.arraycopy(row.values(), 0, buffer, 0, nnz);
        writer.appendSparse(D, indexBuffer, buffer, nnz, row.label(), row.weight());
      } else {
        System.arraycopy(row.dense(), 0, buffer, 0, D);
        writer.appendDense(buffer, D, row.label(), row.weight());
      }
      if (writer.isFull()) {
        byte[] stream = writer.flush();
        lastStreams.add(stream);
        batches.add(ArrowBatchCodec.decode(stream, allocator));
      }
    }
    byte[] last = writer.flush();
    if (last != null) {
      lastStreams.add(last);
      batches.add(ArrowBatchCodec.decode(last, allocator));
    }
    return batches;
  }

  private void assertSkippedRowsLeaveNoTrace(boolean startSparse, long maxBatchBytes) {
    List<Row> all = rows(11, true, startSparse);
    List<Row> valid = rows(11, false, startSparse);
    ArrowBatchWriter withInvalid = new ArrowBatchWriter(allocator, options(maxBatchBytes), 0);
    ArrowBatchWriter validOnly = new ArrowBatchWriter(allocator, options(maxBatchBytes), 0);
    List<HostBatch> got = write(withInvalid, all);
    List<HostBatch> expected = write(validOnly, valid);

    assertTrue(expected.size() > 2, "several batches: " + expected.size());
    assertEquals(expected.size(), got.size(), "batches");
    for (int b = 0; b < expected.size(); b++) {
      HostBatch e = expected.get(b);
      HostBatch g = got.get(b);
      assertEquals(e.isSparse(), g.isSparse(), "layout of batch " + b);
      assertEquals(e.rows, g.rows, "rows of batch " + b);
      assertArrayEquals(e.dense, g.dense, "dense features of batch " + b);
      assertArrayEquals(e.rowPtr, g.rowPtr, "row pointers of batch " + b);
      assertArrayEquals(e.colIndices, g.colIndices, "indices of batch " + b);
      assertArrayEquals(e.values, g.values, "values of batch " + b);
      assertArrayEquals(e.labels, g.labels, "labels of batch " + b);
      assertArrayEquals(e.weights, g.weights, "weights of batch " + b);
    }

    PartitionStatistics s = withInvalid.statistics();
    PartitionStatistics v = validOnly.statistics();
    assertEquals(all.size() - valid.size(), s.skippedRows(), "every invalid row is counted as skipped");
    assertEquals(0, v.skippedRows());
    assertEquals(v.rows(), s.rows());
    assertEquals(valid.size(), s.rows());
    assertEquals(v.nonZeros(), s.nonZeros());
    assertEquals(v.batches(), s.batches());
    assertEquals(v.weightSum(), s.weightSum());
    assertEquals(v.anySparse(), s.anySparse());
    assertEquals(v.labelMin(), s.labelMin());
    assertEquals(v.labelMax(), s.labelMax());
    assertArrayEquals(v.featureMeans(), s.featureMeans(), "bit-equal sums: no skipped value entered them");
    assertArrayEquals(v.featureStds(), s.featureStds());
    assertEquals(v.classWeights(), s.classWeights());
  }

  @Test
  void skippedRowsLeaveNoTraceInDenseFirstBatches() {
    assertSkippedRowsLeaveNoTrace(false, 1024);
  }

  @Test
  void skippedRowsLeaveNoTraceInSparseFirstBatches() {
    assertSkippedRowsLeaveNoTrace(true, 1024);
  }

  @Test
  void aSkippedFirstRowDoesNotFixTheBatchLayout() {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(1 << 20), 0);
    assertFalse(writer.appendDense(new double[] {1, Double.NaN, 3}, 0, 1), "skipped");
    assertTrue(writer.appendSparse(3, new int[] {2}, new double[] {5}, 1, 1, 1));
    HostBatch b = ArrowBatchCodec.decode(writer.flush(), allocator);
    assertTrue(b.isSparse(), "the first valid row (sparse) decides the layout");
    assertArrayEquals(new int[] {0, 1}, b.rowPtr);
    assertArrayEquals(new int[] {2}, b.colIndices);
    assertArrayEquals(new float[] {5f}, b.values);

    assertFalse(writer.appendSparse(3, new int[] {0}, new double[] {1}, 1, Double.NaN, 1), "skipped");
    assertTrue(writer.appendDense(new double[] {0, 4, 0}, 2, 1));
    b = ArrowBatchCodec.decode(writer.flush(), allocator);
    assertFalse(b.isSparse(), "a dense first valid row makes a dense batch");
    assertArrayEquals(new float[] {0, 4, 0}, b.dense);
    assertEquals(2, writer.statistics().skippedRows());
    assertEquals(2, writer.statistics().nonZeros());
  }

  @Test
  void aValueBeyondFloat32IsAnErrorEvenWhenSkipping() {
    ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(1 << 20), 4);
    writer.appendDense(new double[] {1, 2}, 0, 1);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> writer.appendDense(new double[] {1, -1e39}, 0, 1));
    assertTrue(e.getMessage().contains("row 1 of partition 4") && e.getMessage().contains("float32"),
        e.getMessage());
    writer.flush();
  }

  @Test
  void encodingTakesOnlyTheFirstRowsOfLongerArrays() {
    Random r = new Random(5);
    // 70001 non-zeros and rows: validity bitmaps longer than one bulk fill, ending in a partial byte
    int rows = 70_001;
    int cols = 3;
    float[] dense = new float[rows * cols + 50];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (float) r.nextGaussian();
    }
    double[] labels = new double[rows + 9];
    double[] weights = new double[rows + 9];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = r.nextGaussian();
      weights[i] = r.nextDouble();
    }
    HostBatch d = ArrowBatchCodec.decode(
        ArrowBatchCodec.encodeDense(rows, cols, dense, labels, weights, allocator), allocator);
    assertEquals(0, allocator.getAllocatedMemory());
    assertArrayEquals(Arrays.copyOf(dense, rows * cols), d.dense);
    assertArrayEquals(Arrays.copyOf(labels, rows), d.labels);
    assertArrayEquals(Arrays.copyOf(weights, rows), d.weights);

    int[] rowPtr = new int[rows + 5];
    for (int i = 1; i <= rows; i++) {
      rowPtr[i] = rowPtr[i - 1] + (i % 3 == 0 ? 0 : 1);
    }
    int nnz = rowPtr[rows];
    int[] idx = new int[nnz + 100];
    float[] val = new float[nnz + 100];
    for (int p = 0; p < idx.length; p++) {
      idx[p] = r.nextInt(cols);
      val[p] = (float) r.nextGaussian();
    }
    HostBatch s = ArrowBatchCodec.decode(
        ArrowBatchCodec.encodeSparse(rows, cols, rowPtr, idx, val, labels, weights, allocator), allocator);
    assertEquals(0, allocator.getAllocatedMemory());
    assertTrue(s.isSparse());
    assertArrayEquals(Arrays.copyOf(rowPtr, rows + 1), s.rowPtr);
    assertArrayEquals(Arrays.copyOf(idx, nnz), s.colIndices);
    assertArrayEquals(Arrays.copyOf(val, nnz), s.values);
    assertArrayEquals(Arrays.copyOf(labels, rows), s.labels);
  }

  @Test
  void classWeightsOfSmallAndLargeLabelsMerge() {
    double[][] labelWeight = {{0, 1}, {5, 2}, {4095, 0.5}, {4096, 3}, {100_000, 0}, {5, 1}, {2, 0}, {100_000, 4}};
    PartitionStatistics a = new PartitionStatistics(0);
    PartitionStatistics b = new PartitionStatistics(1);
    Map<Integer, Double> expected = new TreeMap<>();
    for (int i = 0; i < labelWeight.length; i++) {
      (i % 2 == 0 ? a : b).addRow(labelWeight[i][0], labelWeight[i][1], false, LabelKind.CLASS_INDEX);
      expected.merge((int) labelWeight[i][0], labelWeight[i][1], Double::sum);
    }
    assertEquals(Map.of(0, 1.0, 4095, 0.5, 100_000, 0.0, 2, 0.0), a.classWeights(),
        "a class of weight 0 is still a class seen");
    PartitionStatistics merged = new PartitionStatistics(-1).merge(a).merge(b);
    assertEquals(expected, merged.classWeights());
    assertEquals(List.of(0, 2, 5, 4095, 4096, 100_000), new ArrayList<>(merged.classWeights().keySet()));
    PartitionStatistics real = new PartitionStatistics(2);
    real.addRow(3, 1, false, LabelKind.REAL);
    assertTrue(real.classWeights().isEmpty(), "real labels are not counted as classes");
  }

  /**
   * The reference encoding: the batch set element by element into Arrow vectors and written by Arrow's own
   * {@link ArrowStreamWriter}, as the encoder did before it wrote the stream itself.
   */
  private byte[] arrowStreamWriterBytes(HostBatch batch) throws Exception {
    List<FieldVector> vectors = new ArrayList<>();
    FloatingPointPrecision single = FloatingPointPrecision.SINGLE;
    if (batch.isSparse()) {
      for (String name : new String[] {ArrowBatchCodec.INDICES, ArrowBatchCodec.VALUES}) {
        ListVector list = ListVector.empty(name, allocator);
        vectors.add(list);
        boolean ints = name.equals(ArrowBatchCodec.INDICES);
        list.addOrGetVector(FieldType.notNullable(ints ? new ArrowType.Int(32, true) : new ArrowType.FloatingPoint(single)));
        list.allocateNew();
        UnionListWriter w = list.getWriter();
        for (int i = 0; i < batch.rows; i++) {
          w.setPosition(i);
          w.startList();
          for (int p = batch.rowPtr[i]; p < batch.rowPtr[i + 1]; p++) {
            if (ints) {
              w.integer().writeInt(batch.colIndices[p]);
            } else {
              w.float4().writeFloat4(batch.values[p]);
            }
          }
          w.endList();
        }
        list.setValueCount(batch.rows);
      }
    } else {
      FixedSizeListVector list = new FixedSizeListVector(
          Field.notNullable(ArrowBatchCodec.FEATURES, new ArrowType.FixedSizeList(batch.cols)), allocator, null);
      vectors.add(list);
      list.addOrGetVector(FieldType.notNullable(new ArrowType.FloatingPoint(single)));
      list.allocateNew();
      Float4Vector child = (Float4Vector) list.getDataVector();
      for (int i = 0; i < batch.rows; i++) {
        list.setNotNull(i);
        for (int j = 0; j < batch.cols; j++) {
          child.setSafe(i * batch.cols + j, batch.dense[i * batch.cols + j]);
        }
      }
      child.setValueCount(batch.rows * batch.cols);
      list.setValueCount(batch.rows);
    }
    for (String name : new String[] {ArrowBatchCodec.LABEL, ArrowBatchCodec.WEIGHT}) {
      Float8Vector v = new Float8Vector(Field.notNullable(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
          allocator);
      vectors.add(v);
      v.allocateNew(batch.rows);
      for (int i = 0; i < batch.rows; i++) {
        v.set(i, name.equals(ArrowBatchCodec.LABEL) ? batch.labels[i] : batch.weights[i]);
      }
      v.setValueCount(batch.rows);
    }
    List<Field> fields = new ArrayList<>();
    for (FieldVector v : vectors) {
      fields.add(v.getField());
    }
    Schema schema = new Schema(fields, Map.of("sparkgpu.numFeatures", Integer.toString(batch.cols)));
    try (VectorSchemaRoot root = new VectorSchemaRoot(schema, vectors, batch.rows)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      return out.toByteArray();
    }
  }

  /**
   * The writer's own streams, dense ones written in place (full batches) or copied into a stream of their length
   * (the short last one), with rows skipped as invalid among them. Every stream is byte for byte what Arrow's writer
   * makes of its decoded contents, and the decoded rows are the valid input rows, in order.
   */
  @Test
  void batchesWrittenInPlaceAreByteForByteWhatArrowsStreamWriterWrites() throws Exception {
    for (long maxBatchBytes : new long[] {1024, 8000}) {
      int perBatch = BatchingOptions.denseRowsPerBatch(maxBatchBytes, D);
      List<Row> input = rows(5, true, false);
      ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options(maxBatchBytes), 0);
      List<HostBatch> batches = write(writer, input);
      List<Row> valid = rows(5, false, false);
      int fullDense = 0;
      int shortDense = 0;
      int next = 0;
      for (int i = 0; i < batches.size(); i++) {
        HostBatch b = batches.get(i);
        String what = "batch " + i + " of " + maxBatchBytes + "-byte batches";
        assertArrayEquals(arrowStreamWriterBytes(b), lastStreams.get(i), what);
        for (int row = 0; row < b.rows; row++, next++) {
          Row want = valid.get(next);
          float[] got = new float[D];
          if (b.isSparse()) {
            for (int p = b.rowPtr[row]; p < b.rowPtr[row + 1]; p++) {
              got[b.colIndices[p]] = b.values[p];
            }
          } else {
            System.arraycopy(b.dense, row * D, got, 0, D);
          }
          float[] expected = new float[D];
          for (int q = 0; q < (want.sparse() ? want.indices().length : D); q++) {
            expected[want.sparse() ? want.indices()[q] : q] = (float) (want.sparse() ? want.values()[q]
                : want.dense()[q]);
          }
          assertArrayEquals(expected, got, what + ", row " + row);
          assertEquals(want.label(), b.labels[row], what + ", label of row " + row);
          assertEquals(want.weight(), b.weights[row], what + ", weight of row " + row);
        }
        if (!b.isSparse()) {
          fullDense += b.rows == perBatch ? 1 : 0;
          shortDense += b.rows < perBatch ? 1 : 0;
        }
      }
      assertEquals(valid.size(), next, "every valid row, once");
      assertTrue(fullDense >= (maxBatchBytes == 1024 ? 2 : 1), "full dense batches: " + fullDense);
      assertEquals(1, shortDense, "the last batch is a short dense one");
    }
  }

  @Test
  void theStreamIsByteForByteWhatArrowsStreamWriterWrites() throws Exception {
    Random r = new Random(9);
    for (int rows : new int[] {1, 7, 8, 9, 64, 1001}) {
      int cols = 1 + r.nextInt(13);
      float[] x = new float[rows * cols];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextInt(3) == 0 ? 0f : (float) r.nextGaussian();
      }
      double[] y = new double[rows];
      double[] w = new double[rows];
      for (int i = 0; i < rows; i++) {
        y[i] = r.nextInt(4);
        w[i] = r.nextDouble();
      }
      HostBatch dense = HostBatch.dense(rows, cols, x, y, w);
      assertArrayEquals(arrowStreamWriterBytes(dense), ArrowBatchCodec.encode(dense, allocator), "dense " + rows);
      int[] rowPtr = new int[rows + 1];
      int[] idx = new int[rows * cols];
      float[] val = new float[rows * cols];
      int p = 0;
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          if (x[i * cols + j] != 0f) {
            idx[p] = j;
            val[p++] = x[i * cols + j];
          }
        }
        rowPtr[i + 1] = p;
      }
      HostBatch csr = HostBatch.sparse(rows, cols, rowPtr, Arrays.copyOf(idx, p), Arrays.copyOf(val, p), y, w);
      assertArrayEquals(arrowStreamWriterBytes(csr), ArrowBatchCodec.encode(csr, allocator), "sparse " + rows);
      HostBatch empty = HostBatch.sparse(rows, cols, new int[rows + 1], new int[0], new float[0], y, w);
      assertArrayEquals(arrowStreamWriterBytes(empty), ArrowBatchCodec.encode(empty, allocator), "empty " + rows);
    }
  }
}
