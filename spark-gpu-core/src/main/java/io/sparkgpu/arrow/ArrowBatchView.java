package io.sparkgpu.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.BufferLayout.BufferType;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * A read-only view of one batch as {@link ArrowBatchCodec#encode} writes it, reading labels, weights and features
 * straight out of the IPC stream bytes: only the message headers are parsed, the buffers are neither copied into
 * Arrow memory nor into Java arrays. It reads the same values {@link ArrowBatchCodec#decode} would return (validity
 * bitmaps are ignored there too, the encoder writes no nulls). Holds the byte array, nothing to close.
 */
public final class ArrowBatchView {

  private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle DOUBLE =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  public final int rows;
  public final int cols;
  private final byte[] bytes;
  private final boolean sparse;
  /** Byte offsets into {@link #bytes} of the buffers read. */
  private final int labelsAt;
  private final int weightsAt;
  private final int featuresAt;
  private final int rowPtrAt;
  private final int indicesAt;
  private final int nonZeros;
  /** The dense block (or the sparse values) as floats, for bulk copies; index 0 is the first value. */
  private final FloatBuffer floats;

  private ArrowBatchView(byte[] bytes, int rows, int cols, boolean sparse, int labelsAt, int weightsAt,
      int featuresAt, int rowPtrAt, int indicesAt, int nonZeros, long featureBytes) {
    this.bytes = bytes;
    this.rows = rows;
    this.cols = cols;
    this.sparse = sparse;
    this.labelsAt = labelsAt;
    this.weightsAt = weightsAt;
    this.featuresAt = featuresAt;
    this.rowPtrAt = rowPtrAt;
    this.indicesAt = indicesAt;
    this.nonZeros = nonZeros;
    this.floats = ByteBuffer.wrap(bytes, featuresAt, (int) featureBytes).slice().order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
  }

  /**
   * Parses the headers of {@code bytes}, which must be one schema and one uncompressed record batch as
   * {@link ArrowBatchCodec#encode} writes them; anything else is refused with an {@link IllegalArgumentException}.
   */
  public static ArrowBatchView of(byte[] bytes) {
    try (ReadChannel in = new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes))) {
      MessageMetadataResult schemaMessage = MessageSerializer.readMessage(in);
      if (schemaMessage == null || schemaMessage.headerType() != MessageHeader.Schema
          || schemaMessage.messageHasBody()) {
        throw refused(bytes, "it does not start with a schema message");
      }
      Schema schema = MessageSerializer.deserializeSchema(schemaMessage);
      MessageMetadataResult batchMessage = MessageSerializer.readMessage(in);
      if (batchMessage == null || batchMessage.headerType() != MessageHeader.RecordBatch) {
        throw refused(bytes, "its second message is not a record batch");
      }
      long bodyAt = in.bytesRead();
      if (bodyAt + batchMessage.getMessageBodyLength() > bytes.length) {
        throw refused(bytes, "it is truncated");
      }
      RecordBatch batch = (RecordBatch) batchMessage.getMessage().header(new RecordBatch());
      if (batch.compression() != null) {
        throw refused(bytes, "its buffers are compressed");
      }
      if (batch.length() > Integer.MAX_VALUE) {
        throw refused(bytes, "it has " + batch.length() + " rows");
      }
      return parse(bytes, schema, batch, bodyAt);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the headers of an Arrow batch of " + bytes.length + " bytes", e);
    }
  }

  private static IllegalArgumentException refused(byte[] bytes, String why) {
    return new IllegalArgumentException("An encoded Arrow batch of " + bytes.length + " bytes cannot be viewed: "
        + why + " (expected the layout ArrowBatchCodec.encode writes)");
  }

  /** Where one field's buffers lie in the body: (offset, length) per buffer type. */
  private static final class FieldBuffers {
    final Map<BufferType, long[]> byType = new EnumMap<>(BufferType.class);
    FieldBuffers child;
  }

  private static ArrowBatchView parse(byte[] bytes, Schema schema, RecordBatch batch, long bodyAt) {
    int rows = (int) batch.length();
    Map<String, String> meta = schema.getCustomMetadata();
    String d = meta == null ? null : meta.get(ArrowBatchCodec.NUM_FEATURES_KEY);
    if (d == null) {
      throw refused(bytes, "its schema has no " + ArrowBatchCodec.NUM_FEATURES_KEY);
    }
    int cols = Integer.parseInt(d);
    // Buffers come in schema order, depth first, each field with as many as its type's layout has.
    Map<String, FieldBuffers> fields = new HashMap<>();
    int[] next = {0};
    for (Field f : schema.getFields()) {
      fields.put(f.getName(), buffersOf(bytes, f, batch, bodyAt, next));
    }
    if (next[0] != batch.buffersLength()) {
      throw refused(bytes, "it has " + batch.buffersLength() + " buffers, its schema " + next[0]);
    }
    int labelsAt = at(bytes, fields.get(ArrowBatchCodec.LABEL), BufferType.DATA, 8L * rows);
    int weightsAt = at(bytes, fields.get(ArrowBatchCodec.WEIGHT), BufferType.DATA, 8L * rows);
    FieldBuffers dense = fields.get(ArrowBatchCodec.FEATURES);
    if (dense != null) {
      long featureBytes = 4L * rows * cols;
      int featuresAt = at(bytes, dense.child, BufferType.DATA, featureBytes);
      return new ArrowBatchView(bytes, rows, cols, false, labelsAt, weightsAt, featuresAt, -1, -1, -1, featureBytes);
    }
    FieldBuffers indices = fields.get(ArrowBatchCodec.INDICES);
    FieldBuffers values = fields.get(ArrowBatchCodec.VALUES);
    if (indices == null || values == null) {
      throw refused(bytes, "it has neither dense nor sparse features");
    }
    // An empty batch may come without offsets at all.
    int rowPtrAt = at(bytes, indices, BufferType.OFFSET, rows == 0 ? 0 : 4L * (rows + 1));
    int nnz = rows == 0 ? 0 : (int) INT.get(bytes, rowPtrAt + 4 * rows);
    if (nnz < 0 || (rows > 0 && (int) INT.get(bytes, rowPtrAt) != 0)) {
      throw refused(bytes, "its row offsets run from " + INT.get(bytes, rowPtrAt) + " to " + nnz);
    }
    int indicesAt = at(bytes, indices.child, BufferType.DATA, 4L * nnz);
    int valuesAt = at(bytes, values.child, BufferType.DATA, 4L * nnz);
    return new ArrowBatchView(bytes, rows, cols, true, labelsAt, weightsAt, valuesAt, rowPtrAt, indicesAt, nnz,
        4L * nnz);
  }

  private static FieldBuffers buffersOf(byte[] bytes, Field f, RecordBatch batch, long bodyAt, int[] next) {
    FieldBuffers out = new FieldBuffers();
    ArrowType type = f.getType();
    List<BufferType> types = TypeLayout.getTypeLayout(type).getBufferTypes();
    for (BufferType t : types) {
      if (next[0] >= batch.buffersLength()) {
        throw refused(bytes, "it has fewer buffers than its schema");
      }
      org.apache.arrow.flatbuf.Buffer b = batch.buffers(next[0]++);
      out.byType.put(t, new long[] {bodyAt + b.offset(), b.length()});
    }
    List<Field> children = f.getChildren();
    if (children.size() > 1) {
      throw refused(bytes, "field " + f.getName() + " has " + children.size() + " children");
    }
    if (children.size() == 1) {
      out.child = buffersOf(bytes, children.get(0), batch, bodyAt, next);
    }
    return out;
  }

  /** Byte offset of {@code field}'s buffer of type {@code t}, checked to hold {@code needed} bytes. */
  private static int at(byte[] bytes, FieldBuffers field, BufferType t, long needed) {
    long[] b = field == null ? null : field.byType.get(t);
    if (b == null) {
      throw refused(bytes, "a " + t.getName() + " buffer is missing");
    }
    if (needed > 0 && (b[1] < needed || b[0] < 0 || b[0] + needed > bytes.length)) {
      throw refused(bytes, "a " + t.getName() + " buffer has " + b[1] + " bytes, " + needed + " needed");
    }
    return (int) b[0];
  }

  public boolean isSparse() {
    return sparse;
  }

  /** Stored feature values: {@code rows x cols} when dense, the CSR entries (zeros included) when sparse. */
  public long storedValues() {
    return sparse ? nonZeros : (long) rows * cols;
  }

  public double label(int r) {
    return (double) DOUBLE.get(bytes, labelsAt + 8 * r);
  }

  public double weight(int r) {
    return (double) DOUBLE.get(bytes, weightsAt + 8 * r);
  }

  /** Dense only: feature {@code j} of row {@code r}. */
  public float value(int r, int j) {
    return (float) FLOAT.get(bytes, featuresAt + 4 * (r * cols + j));
  }

  /** Dense only: copies row {@code r}'s {@code cols} values to {@code dst[offset ...]}. */
  public void copyRow(int r, float[] dst, int offset) {
    floats.get(r * cols, dst, offset, cols);
  }

  /** Sparse only: the first CSR entry of row {@code r} (row {@code rows} gives the end of the last row). */
  public int rowStart(int r) {
    return (int) INT.get(bytes, rowPtrAt + 4 * r);
  }

  /** Sparse only: the column of CSR entry {@code p}. */
  public int index(int p) {
    return (int) INT.get(bytes, indicesAt + 4 * p);
  }

  /** Sparse only: the value of CSR entry {@code p}. */
  public float entry(int p) {
    return (float) FLOAT.get(bytes, featuresAt + 4 * p);
  }
}
