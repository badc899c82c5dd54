package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.regression.LinearRegression;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
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
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input gets a clear error naming the column, the value or row, and the setting to change; errors that need no
 * data are raised before any Spark job starts. (The full table of cases belongs to the reliability work.)
 */
class InputValidationTest {
  private static SparkSession spark;
  private static final AtomicInteger JOBS = new AtomicInteger();

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart jobStart) {
        JOBS.incrementAndGet();
      }
    });
  }

  private static Dataset<Row> rows(List<Row> rows) {
    StructType schema = new StructType(new StructField[] {
        new StructField("label", DataTypes.DoubleType, true, Metadata.empty()),
        new StructField("features", SQLDataTypes.VectorType(), true, Metadata.empty()),
        new StructField("w", DataTypes.DoubleType, true, Metadata.empty()),
        new StructField("name", DataTypes.StringType, true, Metadata.empty())});
    return spark.createDataFrame(rows, schema);
  }

  private static Dataset<Row> good() {
    return rows(List.of(RowFactory.create(0.0, Vectors.dense(1, 2), 1.0, "a"),
        RowFactory.create(1.0, Vectors.dense(3, 1), 1.0, "b"), RowFactory.create(1.0, Vectors.dense(2, 2), 1.0, "c")));
  }

  /** Runs {@code fit}, expecting IllegalArgumentException with every fragment, and returns the jobs started. */
  private static int failsWith(Executable fit, String... fragments) throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty();
    int before = JOBS.get();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fit);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
    spark.sparkContext().listenerBus().waitUntilEmpty();
    return JOBS.get() - before;
  }

  @Test
  void missingColumnFailsBeforeAnyJob() throws Exception {
    int jobs = failsWith(() -> new LogisticRegression().setFeaturesCol("nope").fit(good()), "'nope'", "featuresCol",
        "Available");
    assertEquals(0, jobs);
  }

  @Test
  void stringFeaturesAndStringLabelFailBeforeAnyJob() throws Exception {
    assertEquals(0, failsWith(() -> new LogisticRegression().setFeaturesCol("name").fit(good()), "'name'", "string",
        "VectorAssembler"));
    assertEquals(0, failsWith(() -> new LinearRegression().setLabelCol("name").fit(good()), "'name'", "string",
        "StringIndexer"));
  }

  @Test
  void cudaWithoutGpuFailsBeforeAnyJob() throws Exception {
    assertEquals(0, failsWith(() -> new LogisticRegression().setDevice("cuda").fit(good()), "device=cuda",
        "no usable GPU", "device"));
  }

  @Test
  void nanFeatureNamesColumnRowAndFeature() throws Exception {
    Dataset<Row> bad = rows(List.of(RowFactory.create(0.0, Vectors.dense(1, 2), 1.0, "a"),
        RowFactory.create(1.0, Vectors.dense(Double.NaN, 1), 1.0, "b")));
    failsWith(() -> new LogisticRegression().setNumWorkers(1).fit(bad), "'features'", "row 1", "NaN", "feature 0");
  }

  @Test
  void negativeWeightNamesTheWeightColumn() throws Exception {
    Dataset<Row> bad = rows(List.of(RowFactory.create(0.0, Vectors.dense(1, 2), 1.0, "a"),
        RowFactory.create(1.0, Vectors.dense(2, 1), -2.0, "b")));
    failsWith(() -> new LogisticRegression().setWeightCol("w").setNumWorkers(1).fit(bad), "'w'", "-2.0",
        "weightCol");
  }

  @Test
  void binomialWithThreeClassesAndSingleClassAreRefused() throws Exception {
    Dataset<Row> three = rows(List.of(RowFactory.create(0.0, Vectors.dense(1, 2), 1.0, "a"),
        RowFactory.create(1.0, Vectors.dense(2, 1), 1.0, "b"), RowFactory.create(2.0, Vectors.dense(0, 1), 1.0, "c")));
    failsWith(() -> new LogisticRegression().setFamily("binomial").fit(three), "Binomial family only supports 1 or 2",
        "found 3", "multinomial");
    Dataset<Row> one = rows(List.of(RowFactory.create(1.0, Vectors.dense(1, 2), 1.0, "a"),
        RowFactory.create(1.0, Vectors.dense(2, 1), 1.0, "b")));
    failsWith(() -> new LogisticRegression().fit(one), "'label'", "single class");
  }

  @Test
  void fractionalClassLabelAndVectorsOfDifferentSizes() throws Exception {
    Dataset<Row> fractional = rows(List.of(RowFactory.create(0.5, Vectors.dense(1, 2), 1.0, "a")));
    failsWith(() -> new LogisticRegression().fit(fractional), "'label'", "0.5", "whole numbers");
    Dataset<Row> ragged = rows(List.of(RowFactory.create(0.0, Vectors.dense(1, 2), 1.0, "a"),
        RowFactory.create(1.0, Vectors.dense(1, 2, 3), 1.0, "b")));
    failsWith(() -> new LogisticRegression().setNumWorkers(1).fit(ragged), "'features'", "3 features",
        "earlier rows have 2");
  }

  @Test
  void emptyDataFrameIsRefused() throws Exception {
    failsWith(() -> new LinearRegression().fit(good().limit(0)), "empty");
  }

  @Test
  void modelAppliedToDataOfTheWrongWidth() throws Exception {
    LogisticRegressionModel model = new LogisticRegression().setMaxIter(2).fit(good());
    Dataset<Row> wide = rows(List.of(RowFactory.create(0.0, Vectors.dense(1, 2, 3), 1.0, "a")));
    Exception e = assertThrows(Exception.class, () -> model.transform(wide).collect());
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
      t = t.getCause();
    }
    assertTrue(t.getMessage().contains("trained on 2 features"), t.getMessage());
  }
}
