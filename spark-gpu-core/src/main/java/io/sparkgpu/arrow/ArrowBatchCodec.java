package io.sparkgpu.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import com.google.flatbuffers.FlatBufferBuilder;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
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
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.FBSerializables;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
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
  /** Schema metadata key holding the number of features (a sparse batch cannot show it otherwise). */
  static final String NUM_FEATURES_KEY = "sparkgpu.numFeatures";

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

  /**
   * Writes the IPC stream (schema message, one record batch message, end-of-stream marker) straight from the arrays
   * into one array of the exact length: the bytes Arrow's {@code ArrowStreamWriter} writes for the same vectors,
   * without first copying the values into freshly allocated (and page-faulted) Arrow buffers.
   */
  private static byte[] encode(int rows, int cols, float[] dense, int[] rowPtr, int[] colIndices, float[] values,
      double[] labels, double[] weights, BufferAllocator allocator) {
    boolean sparse = dense == null;
    Frame frame = new Frame(rows, cols, sparse, sparse ? rowPtr[rows] : 0, allocator);
    byte[] out = new byte[frame.length]; // zeroed: padding needs no writing
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    if (sparse) {
      if (rows > 0) {
        b.position(frame.bufferAt(Frame.INDEX_OFFSETS));
        b.asIntBuffer().put(rowPtr, 0, rows + 1);
        b.position(frame.bufferAt(Frame.VALUE_OFFSETS));
        b.asIntBuffer().put(rowPtr, 0, rows + 1);
      }
      b.position(frame.bufferAt(Frame.INDICES));
      b.asIntBuffer().put(colIndices, 0, frame.elements);
      b.position(frame.bufferAt(Frame.SPARSE_VALUES));
      b.asFloatBuffer().put(values, 0, frame.elements);
    } else {
      b.position(frame.denseValuesAt());
      b.asFloatBuffer().put(dense, 0, frame.elements);
    }
    frame.finish(out, labels, weights);
    return out;
  }

  /**
   * Where everything lies in the IPC stream of one batch of a given shape, and the bytes around the feature values:
   * the schema message, the record batch message (its headers from Arrow's own serializers), the validity bitmaps,
   * labels, weights and the end-of-stream marker. The body is laid out in Arrow's order (each vector's validity then
   * offsets or values, children after parents, 8-byte aligned). A dense frame's values start at the same place for
   * every batch of its row count, so a writer can put rows there before the batch is finished. Immutable.
   */
  static final class Frame {
    // Buffer numbers in a dense body: list validity, child validity, values, then label and weight columns.
    private static final int DENSE_VALUES = 2;
    // In a sparse body: indices list validity, offsets, child validity, child values; then the same for values.
    static final int INDEX_OFFSETS = 1;
    static final int INDICES = 3;
    static final int VALUE_OFFSETS = 5;
    static final int SPARSE_VALUES = 7;

    final int rows;
    /** Feature values in the body: rows × cols dense, the non-zeros sparse. */
    final int elements;
    /** The stream's length in bytes. */
    final int length;
    private final byte[] schemaMessage;
    private final ByteBuffer metadata;
    private final int metadataLength;
    private final List<ArrowBuffer> layout;
    /** Per buffer of {@link #layout}: the slots a validity bitmap covers, or -1 for a data or offsets buffer. */
    private final int[] validitySlots;
    private final long bodyLength;
    private final int body;

    Frame(int rows, int cols, boolean sparse, int nnz, BufferAllocator allocator) {
      this.rows = rows;
      long count = sparse ? nnz : (long) rows * cols;
      if (count > MAX_ARRAY_LENGTH) {
        throw tooLarge(rows, count);
      }
      int n = (int) count;
      this.elements = n;
      int offsetBytes = rows == 0 ? 0 : 4 * (rows + 1);
      // Per buffer, in body order: the slots its validity bitmap covers, or -1 for a data or offsets buffer, whose
      // byte length dataBytes gives.
      long[] dataBytes;
      if (sparse) {
        validitySlots = new int[] {rows, -1, nnz, -1, rows, -1, nnz, -1, rows, -1, rows, -1};
        dataBytes = new long[] {0, offsetBytes, 0, 4L * nnz, 0, offsetBytes, 0, 4L * nnz, 0, 8L * rows, 0, 8L * rows};
      } else {
        validitySlots = new int[] {rows, n, -1, rows, -1, rows, -1};
        dataBytes = new long[] {0, 0, 4L * n, 0, 8L * rows, 0, 8L * rows};
      }
      List<ArrowFieldNode> nodes = new java.util.ArrayList<>();
      for (int i = 0; i < validitySlots.length; i++) {
        if (validitySlots[i] >= 0) { // every vector's first buffer: one field node each, in the same order
          nodes.add(new ArrowFieldNode(validitySlots[i], 0));
        }
      }
      layout = new java.util.ArrayList<>();
      long offset = 0;
      for (int i = 0; i < validitySlots.length; i++) {
        long size = validitySlots[i] >= 0 ? validityBytes(validitySlots[i]) : dataBytes[i];
        layout.add(new ArrowBuffer(offset, size));
        offset += align8(size);
      }
      bodyLength = offset;
      try {
        schemaMessage = cachedSchemaMessage(sparse, cols, allocator);
        FlatBufferBuilder builder = new FlatBufferBuilder();
        RecordBatch.startNodesVector(builder, nodes.size());
        int nodesOffset = FBSerializables.writeAllStructsToVector(builder, nodes);
        RecordBatch.startBuffersVector(builder, layout.size());
        int buffersOffset = FBSerializables.writeAllStructsToVector(builder, layout);
        RecordBatch.startRecordBatch(builder);
        RecordBatch.addLength(builder, rows);
        RecordBatch.addNodes(builder, nodesOffset);
        RecordBatch.addBuffers(builder, buffersOffset);
        int batchOffset = RecordBatch.endRecordBatch(builder);
        metadata = MessageSerializer.serializeMessage(builder, MessageHeader.RecordBatch, batchOffset, bodyLength,
            IpcOption.DEFAULT);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write an Arrow batch of " + rows + " rows", e);
      }
      // Framed as MessageSerializer frames it: continuation marker, metadata length (padded so that the body starts
      // 8-byte aligned), metadata, padding; the schema message before it ends aligned.
      metadataLength = (int) align8(metadata.remaining());
      body = schemaMessage.length + 8 + metadataLength;
      if (body + bodyLength + 8 > MAX_ARRAY_LENGTH) {
        throw tooLarge(rows, count); // the values fit, their stream does not
      }
      length = (int) (body + bodyLength + 8);
    }

    private static IllegalStateException tooLarge(int rows, long count) {
      return new IllegalStateException("The Arrow stream of a batch of " + rows + " rows and " + count + " feature "
          + "values is longer than a Java array holds");
    }

    /** The byte offset in the stream of buffer {@code i} of the body. */
    int bufferAt(int i) {
      return body + (int) layout.get(i).getOffset();
    }

    /** The byte offset in the stream of a dense frame's first feature value (row-major float32). */
    int denseValuesAt() {
      return bufferAt(DENSE_VALUES);
    }

    /**
     * Writes everything but the feature values, offsets and indices into {@code out}: the headers, every validity
     * bitmap (no nulls), the first {@link #rows} labels and weights, and the end-of-stream marker. {@code out} holds
     * {@link #length} bytes or more and is zero outside the values, offsets and indices (padding is not written).
     */
    void finish(byte[] out, double[] labels, double[] weights) {
      ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
      b.put(schemaMessage);
      b.putInt(IPC_CONTINUATION_TOKEN).putInt(metadataLength).put(metadata.duplicate());
      for (int i = 0; i < layout.size(); i++) {
        if (validitySlots[i] >= 0) {
          setAllValid(out, bufferAt(i), validitySlots[i]);
        }
      }
      int k = layout.size() - 4;
      for (double[] column : new double[][] {labels, weights}) {
        b.position(bufferAt(k + 1));
        b.asDoubleBuffer().put(column, 0, rows);
        k += 2;
      }
      b.position((int) (body + bodyLength));
      b.putInt(IPC_CONTINUATION_TOKEN).putInt(0); // end of stream
    }
  }

  private static final int IPC_CONTINUATION_TOKEN = -1;
  /** The longest Java array the JVM reliably allocates. */
  private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private static long align8(long size) {
    return (size + 7) & ~7L;
  }

  private static long validityBytes(long count) {
    return (count + 7) / 8;
  }

  /** Schema messages by layout and width ({@code 2·cols + sparse}): the same bytes for every batch of a fit. */
  private static final java.util.concurrent.ConcurrentHashMap<Long, byte[]> SCHEMA_MESSAGES =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_CACHED_SCHEMAS = 64;

  /** {@link #schemaMessage}, built once per layout and width (the array is only ever read). */
  private static byte[] cachedSchemaMessage(boolean sparse, int cols, BufferAllocator allocator) throws IOException {
    Long key = 2L * cols + (sparse ? 1 : 0);
    byte[] message = SCHEMA_MESSAGES.get(key);
    if (message == null) {
      message = schemaMessage(sparse, cols, allocator);
      if (SCHEMA_MESSAGES.size() >= MAX_CACHED_SCHEMAS) {
        SCHEMA_MESSAGES.clear();
      }
      SCHEMA_MESSAGES.put(key, message);
    }
    return message;
  }

  /**
   * The schema message of a batch: fields taken from Arrow's own vectors (created empty, nothing allocated), in the
   * order they are encoded.
   */
  private static byte[] schemaMessage(boolean sparse, int cols, BufferAllocator allocator) throws IOException {
    List<FieldVector> vectors = new java.util.ArrayList<>();
    try {
      if (sparse) {
        for (String name : new String[] {INDICES, VALUES}) {
          ListVector list = ListVector.empty(name, allocator);
          vectors.add(list);
          list.addOrGetVector(FieldType.notNullable(name.equals(INDICES) ? INT32 : FLOAT32));
        }
      } else {
        FixedSizeListVector list = new FixedSizeListVector(
            Field.notNullable(FEATURES, new ArrowType.FixedSizeList(cols)), allocator, null);
        vectors.add(list);
        list.addOrGetVector(FieldType.notNullable(FLOAT32));
      }
      vectors.add(new Float8Vector(Field.notNullable(LABEL, FLOAT64), allocator));
      vectors.add(new Float8Vector(Field.notNullable(WEIGHT, FLOAT64), allocator));
      List<Field> fields = new java.util.ArrayList<>();
      for (FieldVector v : vectors) {
        fields.add(v.getField());
      }
      org.apache.arrow.vector.types.pojo.Schema schema = new org.apache.arrow.vector.types.pojo.Schema(fields,
          Map.of(NUM_FEATURES_KEY, Integer.toString(cols)));
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(512);
      MessageSerializer.serialize(new WriteChannel(java.nio.channels.Channels.newChannel(bytes)), schema);
      return bytes.toByteArray();
    } finally {
      for (FieldVector v : vectors) {
        v.close();
      }
    }
  }

  /** Marks the first {@code count} slots of the validity bitmap at {@code at} valid (the bits after them stay 0). */
  private static void setAllValid(byte[] out, int at, int count) {
    Arrays.fill(out, at, at + count / 8, (byte) -1);
    if (count % 8 != 0) {
      out[at + count / 8] = (byte) ((1 << (count % 8)) - 1);
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
