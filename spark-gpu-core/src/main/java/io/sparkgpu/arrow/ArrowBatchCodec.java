package io.sparkgpu.arrow;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
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
    return batch.isSparse()
        ? encodeSparse(batch.rows, batch.cols, batch.rowPtr, batch.colIndices, batch.values, batch.labels,
            batch.weights, allocator)
        : encodeDense(batch.rows, batch.cols, batch.dense, batch.labels, batch.weights, allocator);
  }

  /**
   * As {@link #encode} for the first {@code rows} rows of dense arrays that may be longer (a writer's reused
   * buffers): {@code dense[0, rows * cols)}, {@code labels[0, rows)}, {@code weights[0, rows)}.
   */
  static byte[] encodeDense(int rows, int cols, float[] dense, double[] labels, double[] weights,
      BufferAllocator allocator) {
    return encode(rows, cols, dense, null, null, null, labels, weights, allocator);
  }

  /** As {@link #encodeDense} for CSR arrays: {@code rowPtr[0, rows]} and the first {@code rowPtr[rows]} non-zeros. */
  static byte[] encodeSparse(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values, double[] labels,
      double[] weights, BufferAllocator allocator) {
    return encode(rows, cols, null, rowPtr, colIndices, values, labels, weights, allocator);
  }

  private static byte[] encode(int rows, int cols, float[] dense, int[] rowPtr, int[] colIndices, float[] values,
      double[] labels, double[] weights, BufferAllocator allocator) {
    List<FieldVector> vectors = new java.util.ArrayList<>();
    try {
      if (dense == null) {
        vectors.add(listOf(INDICES, rows, rowPtr, colIndices, null, allocator));
        vectors.add(listOf(VALUES, rows, rowPtr, null, values, allocator));
      } else {
        vectors.add(denseBlock(rows, cols, dense, allocator));
      }
      vectors.add(doubles(LABEL, labels, rows, allocator));
      vectors.add(doubles(WEIGHT, weights, rows, allocator));
      List<Field> fields = new java.util.ArrayList<>();
      for (FieldVector v : vectors) {
        fields.add(v.getField());
      }
      org.apache.arrow.vector.types.pojo.Schema schema = new org.apache.arrow.vector.types.pojo.Schema(fields,
          Map.of(NUM_FEATURES_KEY, Integer.toString(cols)));
      try (VectorSchemaRoot root = new VectorSchemaRoot(schema, new java.util.ArrayList<>(vectors), rows)) {
        vectors.clear(); // the root owns them now
        // Written twice: once to learn the exact length (a channel that only counts, copying nothing), then into
        // an array of that length, so that the Arrow buffers are copied once and the result needs no trimming copy.
        CountingChannel counter = new CountingChannel();
        writeStream(root, counter);
        if (counter.count > Integer.MAX_VALUE - 16L) {
          throw new IllegalStateException("An encoded Arrow batch of " + rows + " rows would take " + counter.count
              + " bytes, more than a Java array holds");
        }
        ArrayChannel out = new ArrayChannel((int) counter.count);
        writeStream(root, out);
        return out.toByteArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write an Arrow batch of " + rows + " rows", e);
    } finally {
      for (FieldVector v : vectors) {
        v.close();
      }
    }
  }

  private static void writeStream(VectorSchemaRoot root, WritableByteChannel channel) throws IOException {
    try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, channel)) {
      writer.start();
      writer.writeBatch();
      writer.end();
    }
  }

  /** Bytes of the buffers of {@code batch} (values, offsets, validity, padding) plus room for the headers. */
  static long encodedSizeEstimate(HostBatch batch) {
    long rows = batch.rows;
    long features = batch.isSparse() ? 8L * batch.rowPtr[batch.rows] + 8L * (rows + 1) + rows / 4
        : 4L * rows * batch.cols + ((long) rows * batch.cols) / 8;
    return features + 16L * rows + rows / 4 + 4096;
  }

  /** Counts the bytes written to it and keeps none. */
  private static final class CountingChannel implements WritableByteChannel {
    long count;

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      src.position(src.limit());
      count += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** Writes into a byte array of a length known in advance, growing it only if that length was short. */
  private static final class ArrayChannel implements WritableByteChannel {
    private byte[] bytes;
    private int count;

    ArrayChannel(int length) {
      bytes = new byte[length];
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      if (bytes.length - count < n) {
        bytes = Arrays.copyOf(bytes, Math.max(count + n, 2 * bytes.length));
      }
      src.get(bytes, count, n);
      count += n;
      return n;
    }

    byte[] toByteArray() {
      return count == bytes.length ? bytes : Arrays.copyOf(bytes, count);
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** Marks the first {@code count} slots of {@code validity} valid, and leaves the bits after them 0. */
  private static void setAllValid(ArrowBuf validity, int count) {
    int full = count / 8;
    validity.setBytes(0, ALL_ONES, 0, Math.min(full, ALL_ONES.length));
    for (long done = ALL_ONES.length; done < full; done += ALL_ONES.length) {
      validity.setBytes(done, ALL_ONES, 0, (int) Math.min(ALL_ONES.length, full - done));
    }
    if (count % 8 != 0) {
      validity.setByte(full, (1 << (count % 8)) - 1);
    }
  }

  private static final byte[] ALL_ONES = new byte[8192];

  static {
    Arrays.fill(ALL_ONES, (byte) -1);
  }

  private static Float8Vector doubles(String name, double[] data, int rows, BufferAllocator allocator) {
    Float8Vector v = new Float8Vector(Field.notNullable(name, FLOAT64), allocator);
    try {
      v.allocateNew(rows);
      v.getDataBuffer().nioBuffer(0, rows * 8).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(data, 0, rows);
      setAllValid(v.getValidityBuffer(), rows);
      v.setValueCount(rows);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  private static FixedSizeListVector denseBlock(int rows, int d, float[] dense, BufferAllocator allocator) {
    FixedSizeListVector list = new FixedSizeListVector(
        Field.notNullable(FEATURES, new ArrowType.FixedSizeList(d)), allocator, null);
    try {
      list.addOrGetVector(FieldType.notNullable(FLOAT32));
      list.setInitialCapacity(rows);
      list.allocateNew();
      Float4Vector child = (Float4Vector) list.getDataVector();
      child.allocateNew((int) ((long) rows * d));
      setAllValid(list.getValidityBuffer(), rows);
      ArrowBuf data = child.getDataBuffer();
      data.nioBuffer(0, rows * d * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(dense, 0, rows * d);
      setAllValid(child.getValidityBuffer(), rows * d);
      child.setValueCount(rows * d);
      list.setValueCount(rows);
      return list;
    } catch (RuntimeException e) {
      list.close();
      throw e;
    }
  }

  /** A list column of the CSR rows: {@code ints} (indices) or else {@code floats} (values), offsets {@code rowPtr}. */
  private static ListVector listOf(String name, int rows, int[] rowPtr, int[] ints, float[] floats,
      BufferAllocator allocator) {
    int nnz = rowPtr[rows];
    ListVector list = ListVector.empty(name, allocator);
    try {
      list.addOrGetVector(FieldType.notNullable(ints != null ? INT32 : FLOAT32));
      list.setInitialCapacity(rows);
      list.allocateNew();
      FieldVector child = list.getDataVector();
      if (ints != null) {
        ((IntVector) child).allocateNew(nnz);
      } else {
        ((Float4Vector) child).allocateNew(nnz);
      }
      if (nnz > 0) {
        java.nio.ByteBuffer data = child.getDataBuffer().nioBuffer(0, nnz * 4).order(ByteOrder.LITTLE_ENDIAN);
        if (ints != null) {
          data.asIntBuffer().put(ints, 0, nnz);
        } else {
          data.asFloatBuffer().put(floats, 0, nnz);
        }
        setAllValid(child.getValidityBuffer(), nnz);
      }
      child.setValueCount(nnz);
      list.getOffsetBuffer().nioBuffer(0, (rows + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
          .put(rowPtr, 0, rows + 1);
      setAllValid(list.getValidityBuffer(), rows);
      list.setLastSet(rows - 1); // every row is set: setValueCount must not fill "holes" over the offsets
      list.setValueCount(rows);
      return list;
    } catch (RuntimeException e) {
      list.close();
      throw e;
    }
  }

  /** Reads Arrow IPC stream bytes made by {@link #encode} into Java arrays. */
  public static HostBatch decode(byte[] bytes, BufferAllocator allocator) {
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator)) {
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
