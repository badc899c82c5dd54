package io.sparkgpu.arrow;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;
import io.sparkgpu.faults.FaultInjection;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.unsafe.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the columns of a DataFrame into cached Arrow batches in one pass of its SQL plan. {@link #checkSchema}
 * validates column names and types on the driver before any job; {@link #batch} selects, repartitions if asked,
 * encodes every partition with {@link ArrowBatchWriter} and gathers the statistics in the same job.
 */
public final class DatasetBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetBatcher.class);

  private DatasetBatcher() {}

  /**
   * Checks that the feature, label and weight columns exist and have usable types. Throws
   * IllegalArgumentException naming the column, its type, what is expected and the Param to change.
   */
  public static void checkSchema(StructType schema, FeatureColumns features, String labelCol, String weightCol) {
    checkSchema(schema, features, labelCol, weightCol, null);
  }

  /** As above, and the validation indicator column, when given, must be boolean. */
  public static void checkSchema(StructType schema, FeatureColumns features, String labelCol, String weightCol,
      String validationCol) {
    if (validationCol != null && !validationCol.isEmpty()) {
      DataType vt = field(schema, validationCol, "validationIndicatorCol").dataType();
      if (!(vt instanceof org.apache.spark.sql.types.BooleanType)) {
        throw new IllegalArgumentException("Column '" + validationCol + "' (validationIndicatorCol) must be boolean "
            + "but was actually " + vt.simpleString() + "; flag held-out rows with true");
      }
    }
    if (features.isSingleColumn()) {
      DataType t = field(schema, features.vectorOrArrayColumn(), "featuresCol").dataType();
      boolean ok = t instanceof VectorUDT
          || (t instanceof ArrayType && ((ArrayType) t).elementType() instanceof NumericType);
      if (!ok) {
        throw new IllegalArgumentException("Column '" + features.vectorOrArrayColumn() + "' must be of type "
            + "Vector or array<float|double> but was actually " + t.simpleString()
            + "; assemble numeric columns with VectorAssembler or set featuresCols to them");
      }
    } else {
      for (String c : features.numericColumns()) {
        DataType t = field(schema, c, "featuresCols").dataType();
        if (!(t instanceof NumericType)) {
          throw new IllegalArgumentException("Column '" + c + "' in featuresCols must be numeric but was actually "
              + t.simpleString() + "; remove it from featuresCols or encode it first");
        }
      }
    }
    DataType lt = field(schema, labelCol, "labelCol").dataType();
    if (!(lt instanceof NumericType)) {
      throw new IllegalArgumentException("Column '" + labelCol + "' must be numeric but was actually "
          + lt.simpleString() + "; index string labels with StringIndexer or set labelCol");
    }
    if (weightCol != null && !weightCol.isEmpty()) {
      DataType wt = field(schema, weightCol, "weightCol").dataType();
      if (!(wt instanceof NumericType)) {
        throw new IllegalArgumentException("Column '" + weightCol + "' must be numeric but was actually "
            + wt.simpleString() + "; set weightCol to a numeric column or leave it unset");
      }
    }
  }

  private static StructField field(StructType schema, String name, String param) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("Column '" + name + "' (" + param + ") does not exist. Available: "
        + String.join(", ", schema.fieldNames()) + "; set " + param + " to one of them");
  }

  /**
   * Batches {@code dataset} into {@code numPartitions} partitions (no repartition when it already has that many)
   * and returns the cached batches with their merged statistics. The caller closes the result, which unpersists the
   * cache.
   */
  public static BatchedDataset batch(Dataset<?> dataset, FeatureColumns features, String labelCol, String weightCol,
      LabelKind kind, long maxBatchBytes, int numPartitions) {
    return batch(dataset, features, labelCol, weightCol, null, kind, maxBatchBytes, numPartitions);
  }

  /**
   * As above; rows whose {@code validationCol} is true are batched apart as validation rows (their statistics do
   * not enter the training statistics).
   */
  public static BatchedDataset batch(Dataset<?> dataset, FeatureColumns features, String labelCol, String weightCol,
      String validationCol, LabelKind kind, long maxBatchBytes, int numPartitions) {
    return batch(dataset, features, labelCol, weightCol, validationCol, kind, maxBatchBytes, numPartitions,
        UnaryOperator.identity());
  }

  /**
   * As above, with the batching options refined by {@code refine} (what to do with invalid rows, a bound on class
   * labels). Rows dropped as invalid are counted in the statistics and logged.
   */
  public static BatchedDataset batch(Dataset<?> dataset, FeatureColumns features, String labelCol, String weightCol,
      String validationCol, LabelKind kind, long maxBatchBytes, int numPartitions,
      UnaryOperator<BatchingOptions> refine) {
    checkSchema(dataset.schema(), features, labelCol, weightCol, validationCol);
    boolean weighted = weightCol != null && !weightCol.isEmpty();
    boolean validating = validationCol != null && !validationCol.isEmpty();
    Column featureExpr;
    if (features.isSingleColumn()) {
      Column c = functions.col(features.vectorOrArrayColumn());
      DataType t = dataset.schema().apply(features.vectorOrArrayColumn()).dataType();
      featureExpr = t instanceof VectorUDT ? c : c.cast(DataTypes.createArrayType(DataTypes.DoubleType));
    } else {
      List<Column> cols = new ArrayList<>();
      for (String name : features.numericColumns()) {
        cols.add(functions.col(name).cast(DataTypes.DoubleType));
      }
      featureExpr = functions.array(cols.toArray(new Column[0]));
    }
    Dataset<Row> selected = dataset.select(featureExpr.as("features"),
        functions.col(labelCol).cast(DataTypes.DoubleType).as("label"),
        (weighted ? functions.col(weightCol).cast(DataTypes.DoubleType) : functions.lit(1.0)).as("weight"),
        (validating ? functions.col(validationCol) : functions.lit(false)).as("validation"));
    // The plan's own RDD: Dataset.rdd() would plan and compile a second, deserialising query just to count partitions.
    int current = selected.queryExecution().toRdd().getNumPartitions();
    if (numPartitions > 0 && current != numPartitions) {
      LOG.info("Repartitioning the training data from {} to {} partitions (numWorkers)", current, numPartitions);
      selected = selected.repartition(numPartitions);
    }
    boolean vectorColumn = selected.schema().apply("features").dataType() instanceof VectorUDT;
    BatchingOptions options = refine.apply(new BatchingOptions(features.describe(), labelCol,
        weighted ? weightCol : "weight", kind, maxBatchBytes));
    JavaRDD<InternalRow> rows = selected.queryExecution().toRdd().toJavaRDD();
    JavaRDD<BatchRecord> records = rows.mapPartitionsWithIndex(new BatchPartition(options, vectorColumn), true);
    // Deserialised: a record is one byte array (or the small statistics), so serialising it for the cache would only
    // copy every batch once more, and copy it back when read. Memory is accounted the same; a lost block is still
    // recomputed from the lineage.
    records.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      records.setName("spark-gpu Arrow batches of " + features.describe());
      List<BatchRecord> statsRecords = records.filter(r -> !r.isBatch()).collect();
      List<PartitionStatistics> perPartition = new ArrayList<>();
      PartitionStatistics all = new PartitionStatistics(-1);
      PartitionStatistics held = new PartitionStatistics(-1);
      for (BatchRecord r : statsRecords) {
        PartitionStatistics into = r.isValidation() ? held : all;
        checkSameWidth(into, r.statistics(), features);
        into.merge(r.statistics());
        if (!r.isValidation()) {
          perPartition.add(r.statistics());
        }
      }
      if (held.rows() > 0 && all.rows() > 0 && held.numFeatures() != all.numFeatures()) {
        throw new IllegalArgumentException("Column '" + features.describe() + "': validation rows have "
            + held.numFeatures() + " features but training rows have " + all.numFeatures() + "; every features "
            + "vector must have the same size (check how the column is assembled)");
      }
      LOG.info("Batched {} training rows x {} features into {} Arrow batches over {} partitions ({} non-zeros, {}); "
          + "{} validation rows", all.rows(), all.numFeatures(), all.batches(), perPartition.size(), all.nonZeros(),
          all.anySparse() ? "sparse input" : "dense input", held.rows());
      long skipped = all.skippedRows() + held.skippedRows();
      if (skipped > 0) {
        LOG.warn("handleInvalid=skip dropped {} invalid rows of {} ({} training, {} validation): {}", skipped,
            skipped + all.rows() + held.rows(), all.skippedRows(), held.skippedRows(),
            describeSkipped(new PartitionStatistics(-1).merge(all).merge(held)));
      }
      return new BatchedDataset(records, all, perPartition, held, options.maxBatchBytes());
    } catch (Exception e) { // Scala throws the checked SparkException without declaring it
      records.unpersist(false);
      throw DatasetBatcher.<RuntimeException>unwrap(e);
    }
  }

  /** Refuses partitions whose rows differ in width, naming the column (checked before merging statistics). */
  private static void checkSameWidth(PartitionStatistics merged, PartitionStatistics next, FeatureColumns features) {
    if (merged.rows() > 0 && next.rows() > 0 && merged.numFeatures() != next.numFeatures()) {
      throw new IllegalArgumentException("Column '" + features.describe() + "': rows of partition "
          + next.partition() + " have " + next.numFeatures() + " features but rows of earlier partitions have "
          + merged.numFeatures() + "; every features vector must have the same size (check how the column is "
          + "assembled)");
    }
  }

  /** "3 null label, 1 NaN or infinite feature", for logs and summaries. */
  public static String describeSkipped(PartitionStatistics stats) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<InvalidRows.Reason, Long> e : stats.skippedByReason().entrySet()) {
      b.append(b.length() > 0 ? ", " : "").append(e.getValue()).append(' ').append(e.getKey().description());
    }
    return b.toString();
  }

  /**
   * Spark wraps a task's failure in a SparkException; a bad-input IllegalArgumentException raised while batching is
   * rethrown as such (its message names the column, row and setting), anything else unchanged.
   */
  @SuppressWarnings("unchecked")
  private static <T extends Exception> RuntimeException unwrap(Exception e) throws T {
    Throwable t = e;
    while (t != null) {
      if (t instanceof IllegalArgumentException) {
        throw new IllegalArgumentException(t.getMessage(), e);
      }
      t = t.getCause();
    }
    throw (T) e;
  }

  /** Encodes one partition's rows; runs on executors. */
  static final class BatchPartition implements Function2<Integer, Iterator<InternalRow>, Iterator<BatchRecord>> {
    private static final long serialVersionUID = 1L;
    private final BatchingOptions options;
    private final boolean vectorColumn;

    BatchPartition(BatchingOptions options, boolean vectorColumn) {
      this.options = options;
      this.vectorColumn = vectorColumn;
    }

    @Override
    public Iterator<BatchRecord> call(Integer partition, Iterator<InternalRow> rows) {
      TaskContext ctx = TaskContext.get();
      String name = "sparkgpu-batching-p" + partition + (ctx != null ? "-t" + ctx.taskAttemptId() : "");
      BufferAllocator allocator = ArrowAllocators.child(name, ArrowAllocators.encodingLimit(options.maxBatchBytes()));
      if (ctx != null) {
        ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> allocator.close());
      }
      ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options, partition);
      ArrowBatchWriter heldOut = new ArrowBatchWriter(allocator, options, partition);
      RowReader reader = new RowReader(options, vectorColumn);
      return new Iterator<BatchRecord>() {
        private BatchRecord next;
        private boolean done;
        private int tail; // records still to emit after the input ends: flushes and statistics

        @Override
        public boolean hasNext() {
          if (next == null && !done) {
            next = advance();
          }
          return next != null;
        }

        @Override
        public BatchRecord next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          BatchRecord r = next;
          next = null;
          return r;
        }

        private long row; // input rows of this partition so far, training and validation

        private BatchRecord advance() {
          while (rows.hasNext()) {
            InternalRow r = rows.next();
            if (r.isNullAt(3)) {
              throw new IllegalArgumentException("The validation indicator column is null in row " + row
                  + " of partition " + partition + "; set validationIndicatorCol to a column that is true or false "
                  + "on every row");
            }
            boolean validation = r.getBoolean(3);
            ArrowBatchWriter w = validation ? heldOut : writer;
            w.atRow(row++);
            reader.append(w, r);
            if (w.isFull()) {
              return BatchRecord.batch(w.flush(), validation);
            }
          }
          switch (tail++) {
            case 0: {
              byte[] last = writer.flush();
              return last != null ? BatchRecord.batch(last, false) : advance();
            }
            case 1: {
              byte[] last = heldOut.flush();
              return last != null ? BatchRecord.batch(last, true) : advance();
            }
            case 2:
              return BatchRecord.statistics(heldOut.statistics(), true);
            default:
              done = true;
              FaultInjection.afterBatching();
              if (ctx == null) {
                allocator.close();
              }
              return BatchRecord.statistics(writer.statistics(), false);
          }
        }
      };
    }

  }

  /** Reads one partition's rows into writers, through row buffers reused from row to row. */
  static final class RowReader {
    private final BatchingOptions options;
    private final boolean vectorColumn;
    // The writer copies what it keeps, so one buffer serves every row.
    private double[] valueBuffer = new double[0];
    private int[] indexBuffer = new int[0];

    RowReader(BatchingOptions options, boolean vectorColumn) {
      this.options = options;
      this.vectorColumn = vectorColumn;
    }

    void append(ArrowBatchWriter writer, InternalRow row) {
      int partition = writer.statistics().partition();
      if (row.isNullAt(0)) {
        writer.rejectRow(InvalidRows.Reason.NULL_FEATURES, "Column '" + options.featuresColumn() + "' is null in "
            + "row " + writer.currentRow() + " of partition " + partition + "; drop or impute rows with null features");
        return;
      }
      if (row.isNullAt(1)) {
        writer.rejectRow(InvalidRows.Reason.NULL_LABEL, "Column '" + options.labelColumn() + "' is null in row "
            + writer.currentRow() + " of partition " + partition + "; drop rows with null labels");
        return;
      }
      if (row.isNullAt(2)) {
        writer.rejectRow(InvalidRows.Reason.NULL_WEIGHT, "Column '" + options.weightColumn() + "' is null in row "
            + writer.currentRow() + " of partition " + partition + "; weights must be set on every row (or unset "
            + "weightCol)");
        return;
      }
      double label = row.getDouble(1);
      double weight = row.getDouble(2);
      if (vectorColumn) {
        InternalRow v = row.getStruct(0, 4);
        if (v.getByte(0) == 0) {
          ArrayData idx = v.getArray(2);
          int nnz = readDoubles(v.getArray(3));
          if (idx.numElements() != nnz) {
            throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': a sparse vector in row "
                + writer.currentRow() + " of partition " + partition + " has " + idx.numElements() + " indices but "
                + nnz + " values");
          }
          readInts(idx);
          writer.appendSparse(v.getInt(1), indexBuffer, valueBuffer, nnz, label, weight);
        } else {
          int n = readDoubles(v.getArray(3));
          writer.appendDense(valueBuffer, n, label, weight);
        }
      } else {
        ArrayData a = row.getArray(0);
        for (int j = 0; j < a.numElements(); j++) {
          if (a.isNullAt(j)) {
            writer.rejectRow(InvalidRows.Reason.NULL_FEATURES, "Column '" + options.featuresColumn() + "' has a null "
                + "element at position " + j + " in row " + writer.currentRow() + " of partition "
                + writer.statistics().partition() + "; impute or drop nulls before fitting");
            return;
          }
        }
        int n = readDoubles(a);
        writer.appendDense(valueBuffer, n, label, weight);
      }
    }

    /**
     * Copies {@code a} into the reused value buffer and returns its length: Spark's UnsafeArrayData with one bulk
     * copy of its element region (what its {@code toDoubleArray} does, without a new array per row).
     */
    private int readDoubles(ArrayData a) {
      int n = a.numElements();
      if (valueBuffer.length < n) {
        valueBuffer = new double[Math.max(n, 2 * valueBuffer.length)];
      }
      if (a instanceof UnsafeArrayData) {
        UnsafeArrayData u = (UnsafeArrayData) a;
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
            valueBuffer, Platform.DOUBLE_ARRAY_OFFSET, 8L * n);
      } else {
        for (int j = 0; j < n; j++) {
          valueBuffer[j] = a.getDouble(j);
        }
      }
      return n;
    }

    /** As {@link #readDoubles}, for int32 elements into the reused index buffer. */
    private int readInts(ArrayData a) {
      int n = a.numElements();
      if (indexBuffer.length < n) {
        indexBuffer = new int[Math.max(n, 2 * indexBuffer.length)];
      }
      if (a instanceof UnsafeArrayData) {
        UnsafeArrayData u = (UnsafeArrayData) a;
        Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + UnsafeArrayData.calculateHeaderPortionInBytes(n),
            indexBuffer, Platform.INT_ARRAY_OFFSET, 4L * n);
      } else {
        for (int j = 0; j < n; j++) {
          indexBuffer[j] = a.getInt(j);
        }
      }
      return n;
    }
  }
}
