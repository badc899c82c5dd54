package io.sparkgpu.arrow;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
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
    int current = selected.rdd().getNumPartitions();
    if (numPartitions > 0 && current != numPartitions) {
      LOG.info("Repartitioning the training data from {} to {} partitions (numWorkers)", current, numPartitions);
      selected = selected.repartition(numPartitions);
    }
    boolean vectorColumn = selected.schema().apply("features").dataType() instanceof VectorUDT;
    BatchingOptions options = new BatchingOptions(features.describe(), labelCol, weighted ? weightCol : "weight",
        kind, maxBatchBytes);
    JavaRDD<InternalRow> rows = selected.queryExecution().toRdd().toJavaRDD();
    JavaRDD<BatchRecord> records = rows.mapPartitionsWithIndex(new BatchPartition(options, vectorColumn), true);
    records.persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      records.setName("spark-gpu Arrow batches of " + features.describe());
      List<BatchRecord> statsRecords = records.filter(r -> !r.isBatch()).collect();
      List<PartitionStatistics> perPartition = new ArrayList<>();
      PartitionStatistics all = new PartitionStatistics(-1);
      PartitionStatistics held = new PartitionStatistics(-1);
      for (BatchRecord r : statsRecords) {
        if (r.isValidation()) {
          held.merge(r.statistics());
        } else {
          perPartition.add(r.statistics());
          all.merge(r.statistics());
        }
      }
      if (held.rows() > 0 && all.rows() > 0 && held.numFeatures() != all.numFeatures()) {
        throw new IllegalArgumentException("Column '" + features.describe() + "': validation rows have "
            + held.numFeatures() + " features but training rows have " + all.numFeatures());
      }
      LOG.info("Batched {} training rows x {} features into {} Arrow batches over {} partitions ({} non-zeros, {}); "
          + "{} validation rows", all.rows(), all.numFeatures(), all.batches(), perPartition.size(), all.nonZeros(),
          all.anySparse() ? "sparse input" : "dense input", held.rows());
      return new BatchedDataset(records, all, perPartition, held);
    } catch (Exception e) { // Scala throws the checked SparkException without declaring it
      records.unpersist(false);
      throw DatasetBatcher.<RuntimeException>unwrap(e);
    }
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
      BufferAllocator allocator = ArrowAllocators.child(name, 4 * options.maxBatchBytes() + (64L << 20));
      if (ctx != null) {
        ctx.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> allocator.close());
      }
      ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options, partition);
      ArrowBatchWriter heldOut = new ArrowBatchWriter(allocator, options, partition);
      RowAppender appender = new RowAppender(options, vectorColumn);
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

        private BatchRecord advance() {
          while (rows.hasNext()) {
            InternalRow row = rows.next();
            boolean validation = !row.isNullAt(3) && row.getBoolean(3);
            ArrowBatchWriter w = validation ? heldOut : writer;
            appender.append(w, row);
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
              if (ctx == null) {
                allocator.close();
              }
              return BatchRecord.statistics(writer.statistics(), false);
          }
        }
      };
    }

  }

  /** Reads one partition's rows into a writer, through row buffers reused from row to row. */
  static final class RowAppender {
    private final BatchingOptions options;
    private final boolean vectorColumn;
    private double[] buffer = new double[0];
    private int[] indices = new int[0];

    RowAppender(BatchingOptions options, boolean vectorColumn) {
      this.options = options;
      this.vectorColumn = vectorColumn;
    }

    void append(ArrowBatchWriter writer, InternalRow row) {
      if (row.isNullAt(0)) {
        throw new IllegalArgumentException("Column '" + options.featuresColumn() + "' is null in a row of "
            + "partition " + writer.statistics().partition() + " (row " + writer.statistics().rows()
            + "); drop or impute rows with null features");
      }
      if (row.isNullAt(1)) {
        throw new IllegalArgumentException("Column '" + options.labelColumn() + "' is null in row "
            + writer.statistics().rows() + " of partition " + writer.statistics().partition()
            + "; drop rows with null labels");
      }
      if (row.isNullAt(3)) {
        throw new IllegalArgumentException("The validation indicator column is null in a row of partition "
            + writer.statistics().partition() + "; set validationIndicatorCol to a column that is true or false on "
            + "every row");
      }
      if (row.isNullAt(2)) {
        throw new IllegalArgumentException("Column '" + options.weightColumn() + "' is null in row "
            + writer.statistics().rows() + " of partition " + writer.statistics().partition()
            + "; weights must be set on every row (or unset weightCol)");
      }
      double label = row.getDouble(1);
      double weight = row.getDouble(2);
      if (vectorColumn) {
        InternalRow v = row.getStruct(0, 4);
        if (v.getByte(0) == 0) {
          ArrayData idx = v.getArray(2);
          int nnz = copyDoubles(v.getArray(3));
          if (idx.numElements() != nnz) {
            throw new IllegalArgumentException("Column '" + options.featuresColumn() + "': a sparse vector in row "
                + writer.statistics().rows() + " of partition " + writer.statistics().partition() + " has "
                + idx.numElements() + " indices but " + nnz + " values");
          }
          if (indices.length < nnz) {
            indices = new int[Math.max(nnz, 2 * indices.length)];
          }
          for (int q = 0; q < nnz; q++) {
            indices[q] = idx.getInt(q);
          }
          writer.appendSparse(v.getInt(1), indices, buffer, nnz, label, weight);
        } else {
          int n = copyDoubles(v.getArray(3)); // before reading buffer: copying may replace it
          writer.appendDense(buffer, n, label, weight);
        }
      } else {
        ArrayData a = row.getArray(0);
        for (int j = 0; j < a.numElements(); j++) {
          if (a.isNullAt(j)) {
            throw new IllegalArgumentException("Column '" + options.featuresColumn() + "' has a null element at "
                + "position " + j + " in row " + writer.statistics().rows() + " of partition "
                + writer.statistics().partition() + "; impute or drop nulls before fitting");
          }
        }
        int n = copyDoubles(a);
        writer.appendDense(buffer, n, label, weight);
      }
    }

    /** Copies {@code a} into the reused row buffer (no array per row) and returns its length. */
    private int copyDoubles(ArrayData a) {
      int n = a.numElements();
      if (buffer.length < n) {
        buffer = new double[Math.max(n, 2 * buffer.length)];
      }
      for (int j = 0; j < n; j++) {
        buffer[j] = a.getDouble(j);
      }
      return n;
    }
  }
}
