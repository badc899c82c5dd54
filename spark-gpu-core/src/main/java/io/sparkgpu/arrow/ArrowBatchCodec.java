package io.sparkgpu.arrow;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Encodes a {@link HostBatch} as one Arrow record batch in IPC stream form, and decodes it back. Dense features are
 * a {@code FixedSizeList<float32>} (one contiguous row-major float32 block); sparse features are two
 * {@code List} columns, {@code indices: int32} and {@code values: float32}, whose offsets are the CSR row pointers.
 * Labels and weights are float64. Every Arrow buffer is allocated from the allocator passed in and released
 * before the method returns.
 */
public final class ArrowBatchCodec {
  public static final String FEATURES = "features";
  public static final String INDICES = "indices";
  public static final String VALUES = "values";
  public static final String LABEL = "label";
  public static final String WEIGHT = "weight";
  private static final String NUM_FEATURES_KEY = "sparkgpu.numFeatures";

  private ArrowBatchCodec() {}

  private static final ArrowType FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  private static final ArrowType INT32 = new ArrowType.Int(32, true);

  /** Serialises {@code batch} to Arrow IPC stream bytes. */
  public static byte[] encode(HostBatch batch, BufferAllocator allocator) {
    int rows = batch.rows;
    Float8Vector label = new Float8Vector(Field.notNullable(LABEL, FLOAT64), allocator);
    Float8Vector weight = new Float8Vector(Field.notNullable(WEIGHT, FLOAT64), allocator);
    List<FieldVector> vectors = new java.util.ArrayList<>();
    try {
      if (batch.isSparse()) {
        vectors.add(listOf(INDICES, INT32, batch, allocator));
        vectors.add(listOf(VALUES, FLOAT32, batch, allocator));
      } else {
        vectors.add(denseBlock(batch, allocator));
      }
      label.allocateNew(rows);
      weight.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        label.set(i, batch.labels[i]);
        weight.set(i, batch.weights[i]);
      }
      label.setValueCount(rows);
      weight.setValueCount(rows);
      vectors.add(label);
      vectors.add(weight);
      List<Field> fields = new java.util.ArrayList<>();
      for (FieldVector v : vectors) {
        fields.add(v.getField());
      }
      org.apache.arrow.vector.types.pojo.Schema schema = new org.apache.arrow.vector.types.pojo.Schema(fields,
          Map.of(NUM_FEATURES_KEY, Integer.toString(batch.cols)));
      try (VectorSchemaRoot root = new VectorSchemaRoot(schema, new java.util.ArrayList<>(vectors), rows)) {
        vectors.clear(); // the root owns them now
        // Sized for the buffers plus schema and message headers, so that it does not grow (and copy) while the
        // batch is written.
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16L,
            encodedSizeEstimate(batch)));
        try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
          writer.start();
          writer.writeBatch();
          writer.end();
        }
        return out.toByteArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write an Arrow batch of " + rows + " rows", e);
    } finally {
      for (FieldVector v : vectors) {
        v.close();
      }
      label.close();
      weight.close();
    }
  }

  /** Bytes of the buffers of {@code batch} (values, offsets, validity, padding) plus room for the headers. */
  static long encodedSizeEstimate(HostBatch batch) {
    long rows = batch.rows;
    long features = batch.isSparse() ? 8L * batch.rowPtr[batch.rows] + 8L * (rows + 1) + rows / 4
        : 4L * rows * batch.cols + ((long) rows * batch.cols) / 8;
    return features + 16L * rows + rows / 4 + 4096;
  }

  private static FixedSizeListVector denseBlock(HostBatch batch, BufferAllocator allocator) {
    int rows = batch.rows;
    int d = batch.cols;
    FixedSizeListVector list = new FixedSizeListVector(
        Field.notNullable(FEATURES, new ArrowType.FixedSizeList(d)), allocator, null);
    try {
      list.addOrGetVector(FieldType.notNullable(FLOAT32));
      list.setInitialCapacity(rows);
      list.allocateNew();
      Float4Vector child = (Float4Vector) list.getDataVector();
      child.allocateNew((int) ((long) rows * d));
      for (int i = 0; i < rows; i++) {
        list.setNotNull(i);
      }
      ArrowBuf data = child.getDataBuffer();
      data.nioBuffer(0, rows * d * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(batch.dense, 0, rows * d);
      child.getValidityBuffer().setOne(0, org.apache.arrow.vector.BitVectorHelper.getValidityBufferSize(rows * d));
      child.setValueCount(rows * d);
      list.setValueCount(rows);
      return list;
    } catch (RuntimeException e) {
      list.close();
      throw e;
    }
  }

  private static ListVector listOf(String name, ArrowType type, HostBatch batch, BufferAllocator allocator) {
    int rows = batch.rows;
    int nnz = batch.rowPtr[rows];
    ListVector list = ListVector.empty(name, allocator);
    try {
      list.addOrGetVector(FieldType.notNullable(type));
      list.setInitialCapacity(rows);
      list.allocateNew();
      FieldVector child = list.getDataVector();
      if (child instanceof IntVector) {
        ((IntVector) child).allocateNew(nnz);
        for (int p = 0; p < nnz; p++) {
          ((IntVector) child).set(p, batch.colIndices[p]);
        }
      } else {
        ((Float4Vector) child).allocateNew(nnz);
        for (int p = 0; p < nnz; p++) {
          ((Float4Vector) child).set(p, batch.values[p]);
        }
      }
      child.setValueCount(nnz);
      for (int i = 0; i < rows; i++) {
        list.startNewValue(i);
        list.endValue(i, batch.rowPtr[i + 1] - batch.rowPtr[i]);
      }
      list.setValueCount(rows);
      return list;
    } catch (RuntimeException e) {
      list.close();
      throw e;
    }
  }

  /** Reads Arrow IPC stream bytes made by {@link #encode} into Java arrays. */
  public static HostBatch decode(byte[] bytes, BufferAllocator allocator) {
    // A channel over the array copies each buffer in one piece (an InputStream channel copies through 8 KiB chunks).
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayReadableSeekableByteChannel(bytes),
        allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      if (!reader.loadNextBatch()) {
        throw new IllegalStateException("An encoded Arrow batch holds no record batch");
      }
      int rows = root.getRowCount();
      int d = Integer.parseInt(root.getSchema().getCustomMetadata().get(NUM_FEATURES_KEY));
      double[] labels = readDoubles((Float8Vector) root.getVector(LABEL), rows);
      double[] weights = readDoubles((Float8Vector) root.getVector(WEIGHT), rows);
      FieldVector features = root.getVector(FEATURES);
      if (features != null) {
        Float4Vector child = (Float4Vector) ((FixedSizeListVector) features).getDataVector();
        float[] dense = new float[rows * d];
        child.getDataBuffer().nioBuffer(0, rows * d * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dense);
        return HostBatch.dense(rows, d, dense, labels, weights);
      }
      ListVector indices = (ListVector) root.getVector(INDICES);
      ListVector values = (ListVector) root.getVector(VALUES);
      int[] rowPtr = new int[rows + 1];
      indices.getOffsetBuffer().nioBuffer(0, (rows + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(rowPtr);
      int nnz = rowPtr[rows];
      int[] cols = new int[nnz];
      float[] vals = new float[nnz];
      if (nnz > 0) {
        ((IntVector) indices.getDataVector()).getDataBuffer().nioBuffer(0, nnz * 4).order(ByteOrder.LITTLE_ENDIAN)
            .asIntBuffer().get(cols);
        ((Float4Vector) values.getDataVector()).getDataBuffer().nioBuffer(0, nnz * 4)
            .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vals);
      }
      return HostBatch.sparse(rows, d, rowPtr, cols, vals, labels, weights);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read an Arrow batch of " + bytes.length + " bytes", e);
    }
  }

  private static double[] readDoubles(Float8Vector v, int rows) {
    double[] out = new double[rows];
    if (rows > 0) {
      v.getDataBuffer().nioBuffer(0, rows * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
    }
    return out;
  }
}
