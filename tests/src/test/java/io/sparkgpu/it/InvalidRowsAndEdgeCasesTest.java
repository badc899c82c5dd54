package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.ArrowAllocators;
import io.sparkgpu.arrow.ArrowBatchCodec;
import io.sparkgpu.arrow.BatchRecord;
import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.arrow.BatchingOptions;
import io.sparkgpu.arrow.DatasetBatcher;
import io.sparkgpu.arrow.FeatureColumns;
import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.ml.TrainingSummary;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What is not an error: handleInvalid=skip drops exactly the invalid rows (the model equals the one fitted on the
 * valid rows alone, the summary and the log count them by reason); data with fewer rows than partitions trains,
 * its empty partitions contributing nothing; and batches stay within maxBatchBytes and Arrow's int32 limits without
 * changing the model.
 */
class InvalidRowsAndEdgeCasesTest {
  private static SparkSession spark;
  private static JavaSparkContext jsc;

  /** The kinds of invalid rows the data carries, and the reason each is reported under. */
  private static final String[] REASON_OF_KIND = {"null features", "NaN or infinite feature",
      "NaN or infinite feature", "null label", "NaN or infinite label", "class label not a whole number in range",
      "class label not a whole number in range", "null weight", "negative, NaN or infinite weight",
      "negative, NaN or infinite weight", "negative, NaN or infinite weight"};

  private static final StructType SCHEMA = new StructType(new StructField[] {
      new StructField("label", DataTypes.DoubleType, true, Metadata.empty()),
      new StructField("features", SQLDataTypes.VectorType(), true, Metadata.empty()),
      new StructField("w", DataTypes.DoubleType, true, Metadata.empty()),
      new StructField("kind", DataTypes.IntegerType, false, Metadata.empty())});

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /**
   * Two partitions of 400 rows of a 3-class problem with weights 1 to 3; every 23rd row is made invalid, cycling
   * through the kinds of {@link #REASON_OF_KIND} (column {@code kind}, -1 for a valid row).
   */
  private static Dataset<Row> dirty() {
    return spark.createDataFrame(jsc.parallelize(List.of(0, 1), 2).flatMap(p -> {
      Random r = new Random(100 + p);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        double[] x = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        Double label = (double) (x[0] + 0.5 * x[1] > 0.4 ? 2 : x[0] - x[2] > 0 ? 1 : 0);
        Double w = 1.0 + i % 3;
        int kind = i % 23 == 0 ? (i / 23 + p) % REASON_OF_KIND.length : -1;
        Object features = Vectors.dense(x);
        switch (kind) {
          case 0: features = null; break;
          case 1: x[1] = Double.NaN; features = Vectors.dense(x); break;
          case 2: x[2] = Double.NEGATIVE_INFINITY; features = Vectors.dense(x); break;
          case 3: label = null; break;
          case 4: label = Double.POSITIVE_INFINITY; break;
          case 5: label = 0.5; break;
          case 6: label = -1.0; break;
          case 7: w = null; break;
          case 8: w = -1.0; break;
          case 9: w = Double.NaN; break;
          case 10: w = Double.POSITIVE_INFINITY; break;
          default: break;
        }
        rows.add(RowFactory.create(label, features, w, kind));
      }
      return rows.iterator();
    }), SCHEMA);
  }

  @Test
  void skipDropsExactlyTheInvalidRowsAndReportsThem() {
    Dataset<Row> dirty = dirty().cache();
    Map<String, Long> expected = new LinkedHashMap<>();
    long total = 0;
    for (Row r : dirty.filter("kind >= 0").groupBy("kind").count().collectAsList()) {
      expected.merge(REASON_OF_KIND[r.getInt(0)], r.getLong(1), Long::sum);
      total += r.getLong(1);
    }
    assertTrue(total >= 30, total + " invalid rows");
    LogisticRegression lr = new LogisticRegression().setWeightCol("w").setNumWorkers(2).setMaxIter(4).setSeed(3L);
    LogisticRegressionModel skipped;
    try (MessageCapture log = new MessageCapture()) {
      skipped = lr.copy(ParamMap.empty()).setHandleInvalid("skip").fit(dirty);
      assertEquals(1, log.containing("handleInvalid=skip dropped " + total + " invalid rows of 800").size(),
          "the batching pass logs the count");
    }
    // The same valid rows in the same partitions and order, fitted under the default handleInvalid=error.
    LogisticRegressionModel clean = lr.fit(dirty.filter("kind < 0"));
    assertArrayEquals(clean.coefficientMatrix().toArray(), skipped.coefficientMatrix().toArray(), 0.0);
    assertArrayEquals(clean.interceptVector().toArray(), skipped.interceptVector().toArray(), 0.0);
    TrainingSummary s = skipped.summary();
    assertEquals(total, s.skippedRows());
    assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(s.skippedRowsByReason()));
    assertEquals(0, clean.summary().skippedRows());
    dirty.unpersist();
  }

  @Test
  void skipDropsLabelsBeyondTheLayersOfAPerceptron() {
    Dataset<Row> data = SyntheticData.classes(spark, 4L, 1_200, 4, 3, 1.0, 2);
    // Class 2 is beyond layers [4, 5, 2]: its rows are invalid for this network.
    MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {4, 5, 2})
        .setMaxIter(3).setNumWorkers(2).setSeed(8L);
    MultilayerPerceptronClassificationModel skipped = mlp.copy(ParamMap.empty()).setHandleInvalid("skip")
        .fit(data);
    MultilayerPerceptronClassificationModel clean = mlp.fit(data.filter("label < 2"));
    assertArrayEquals(clean.weights().toArray(), skipped.weights().toArray(), 0.0);
    assertEquals(data.filter("label >= 2").count(), skipped.summary().skippedRows());
    assertEquals(List.of("class label not a whole number in range"),
        List.copyOf(skipped.summary().skippedRowsByReason().keySet()));
  }

  @Test
  void fewerRowsThanPartitionsTrainsAndEmptyPartitionsAddNothing() {
    Dataset<Row> five = spark.createDataFrame(List.of(RowFactory.create(0.0, Vectors.dense(0, 1), 1.0, -1),
        RowFactory.create(0.0, Vectors.dense(1, 0), 1.0, -1), RowFactory.create(1.0, Vectors.dense(3, 2), 1.0, -1),
        RowFactory.create(1.0, Vectors.dense(2, 4), 1.0, -1), RowFactory.create(0.0, Vectors.dense(0, 0), 1.0, -1)),
        SCHEMA).coalesce(1);
    // Full-batch gradient descent: one step per worker per epoch, averaged by rows, is the same step on any number
    // of partitions, so 8 workers for 5 rows must give the model of 1 worker.
    LogisticRegression gd = new LogisticRegression().setOptimizer("sgd").setLearningRate(0.5)
        .setLearningRateSchedule("constant").setMinStepsPerEpoch(1).setMaxIter(15);
    LogisticRegressionModel one = gd.copy(ParamMap.empty()).setNumWorkers(1).fit(five);
    LogisticRegressionModel eight;
    try (MessageCapture log = new MessageCapture()) {
      eight = gd.copy(ParamMap.empty()).setNumWorkers(8).fit(five);
      List<String> empty = log.containing("of 8 partitions hold no training rows (5 rows in all)");
      assertEquals(1, empty.size(), "the fit logs its empty partitions");
    }
    assertArrayEquals(one.coefficients().toArray(), eight.coefficients().toArray(), 1e-5);
    assertEquals(one.intercept(), eight.intercept(), 1e-5);
    assertEquals(15, eight.summary().totalIterations());
    for (Row r : eight.transform(five).select("label", "prediction").collectAsList()) {
      assertEquals(r.getDouble(0), r.getDouble(1), "the 5 rows are separable: " + r);
    }
  }

  @Test
  void batchesStayWithinTheirBudgetAndArrowsInt32Limit() {
    // The pure sizing rule, at budgets from 1 KiB to 1 GiB and widths up to the widest row a dense batch takes.
    for (long budget : new long[] {1024, 64L << 20, BatchingOptions.MAX_BATCH_BYTES_LIMIT}) {
      for (int d : new int[] {1, 10, 784, 1 << 16, 1 << 20, 1 << 27, (int) ((budget - 16) / 4)}) {
        long rows = BatchingOptions.denseRowsPerBatch(budget, d);
        assertTrue(rows >= 1);
        assertTrue(4L * rows * d <= Integer.MAX_VALUE, "feature bytes of " + rows + " x " + d + " exceed int32");
        assertTrue(rows * d <= Integer.MAX_VALUE - 8, "elements of " + rows + " x " + d + " exceed Arrow's limit");
        assertTrue(rows == 1 || rows * (4L * d + 16) <= budget, rows + " rows of " + d + " exceed " + budget);
      }
    }
    assertFalse(BatchingOptions.denseRowFits(BatchingOptions.MAX_BATCH_BYTES_LIMIT / 4),
        "a row wider than the largest batch goes sparse");

    // The writer in a real batching pass with the smallest budget: 1024 / (4·10 + 16) = 18 rows per batch.
    Dataset<Row> data = SyntheticData.classes(spark, 5L, 3_000, 10, 2, 1.0, 2).cache();
    int perBatch = BatchingOptions.denseRowsPerBatch(1024, 10);
    assertEquals(18, perBatch);
    try (BatchedDataset b = DatasetBatcher.batch(data, FeatureColumns.single("features"), "label", null,
        LabelKind.CLASS_INDEX, 1024, 2)) {
      long expectedBatches = 0;
      for (PartitionStatistics p : b.perPartition()) {
        expectedBatches += (p.rows() + perBatch - 1) / perBatch;
      }
      assertEquals(expectedBatches, b.statistics().batches());
      long rows = 0;
      try (BufferAllocator allocator = ArrowAllocators.child("test-decode", 1 << 20)) {
        for (BatchRecord r : b.records().filter(BatchRecord::isBatch).collect()) {
          HostBatch h = ArrowBatchCodec.decode(r.arrowBatch(), allocator);
          assertTrue(h.rows <= perBatch && 4L * h.rows * h.cols + 16L * h.rows <= 1024, h.rows + " rows");
          rows += h.rows;
        }
      }
      assertEquals(3_000, rows);
    }
    LogisticRegression lr = new LogisticRegression().setMaxIter(3).setNumWorkers(2);
    LogisticRegressionModel tiny = lr.copy(ParamMap.empty()).setMaxBatchBytes(1024).fit(data);
    LogisticRegressionModel usual = lr.fit(data);
    assertArrayEquals(usual.coefficients().toArray(), tiny.coefficients().toArray(), 0.0,
        "batch boundaries must not change the model");
    data.unpersist();
  }
}
