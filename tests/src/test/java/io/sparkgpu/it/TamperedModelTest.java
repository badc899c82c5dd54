package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.ml.regression.LinearRegressionModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading reads only our own classes and checks every value: a saved model or estimator whose metadata names
 * another class, holds a Param value out of range or an unknown Param, or whose data has the wrong number of
 * coefficients, inconsistent shapes or non-finite values is refused with an IllegalArgumentException naming the path,
 * and a class named by tampered metadata is never instantiated.
 */
class TamperedModelTest {
  private static SparkSession spark;
  private static Dataset<Row> heart;
  @TempDir
  static Path saved;

  @TempDir
  Path dir;

  private int copies;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SharedSpark.get();
    heart = TestData.libsvm(spark, TestData.bundled("heart_scale"), 13, true).cache();
    LogisticRegression lr = new LogisticRegression().setMaxIter(5).setThreshold(0.4).setNumWorkers(1);
    lr.fit(heart).save(saved.resolve("lr").toString());
    lr.save(saved.resolve("lr-estimator").toString());
    new LinearRegression().setMaxIter(3).setNumWorkers(1).fit(heart).save(saved.resolve("lin").toString());
    new MultilayerPerceptronClassifier().setLayers(new int[] {13, 5, 2}).setMaxIter(3).setNumWorkers(1).fit(heart)
        .save(saved.resolve("mlp").toString());
  }

  /** A copy of the saved stage {@code name} to tamper with. */
  private Path copy(String name) throws IOException {
    Path from = saved.resolve(name);
    Path to = dir.resolve(name + "-" + copies++);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
    return to;
  }

  /** Edits the metadata JSON as a text editor would (Hadoop's checksum file goes, as an editor would leave it). */
  private static void editMetadata(Path stage, Function<String, String> edit) throws IOException {
    Path part;
    try (Stream<Path> files = Files.list(stage.resolve("metadata"))) {
      part = files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
    }
    String json = Files.readString(part, StandardCharsets.UTF_8);
    String edited = edit.apply(json);
    assertTrue(!edited.equals(json), "the edit must change the metadata: " + json);
    Files.writeString(part, edited, StandardCharsets.UTF_8);
    Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc"));
  }

  /** Replaces the model's data with {@code row} of the same schema. */
  private static void rewriteData(Path stage, Function<Row, Row> edit) throws IOException {
    Row original = spark.read().parquet(stage.resolve("data").toString()).first();
    StructType schema = original.schema();
    Row changed = edit.apply(original);
    Path data = stage.resolve("data");
    try (Stream<Path> files = Files.walk(data)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    spark.createDataFrame(List.of(changed), schema).coalesce(1).write().parquet(data.toString());
  }

  private static void refused(Executable load, Path stage, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load);
    assertTrue(e.getMessage().contains(stage.toString()), "names the path: " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
  }

  @Test
  void untouchedCopiesLoad() throws IOException {
    assertEquals(0.4, LogisticRegressionModel.load(copy("lr").toString()).getThreshold());
    assertEquals(13, LinearRegressionModel.load(copy("lin").toString()).numFeatures());
    assertEquals(2, MultilayerPerceptronClassificationModel.load(copy("mlp").toString()).numClasses());
    assertEquals(5, LogisticRegression.load(copy("lr-estimator").toString()).getMaxIter());
  }

  @Test
  void anotherClassNameIsRefusedAndNeverInstantiated() throws IOException {
    int constructed = InstantiationCanary.CONSTRUCTED.get();
    Path model = copy("lr");
    editMetadata(model, j -> j.replace("\"io.sparkgpu.ml.classification.LogisticRegressionModel\"",
        "\"" + InstantiationCanary.class.getName() + "\""));
    refused(() -> LogisticRegressionModel.load(model.toString()), model, "names class '"
        + InstantiationCanary.class.getName() + "'", "loads only io.sparkgpu.ml.classification.LogisticRegressionModel");
    Path estimator = copy("lr-estimator");
    editMetadata(estimator, j -> j.replace("\"io.sparkgpu.ml.classification.LogisticRegression\"",
        "\"" + InstantiationCanary.class.getName() + "\""));
    refused(() -> LogisticRegression.load(estimator.toString()), estimator, "names class '"
        + InstantiationCanary.class.getName() + "'");
    Path mllib = copy("lin");
    editMetadata(mllib, j -> j.replace("\"io.sparkgpu.ml.regression.LinearRegressionModel\"",
        "\"org.apache.spark.ml.regression.LinearRegressionModel\""));
    refused(() -> LinearRegressionModel.load(mllib.toString()), mllib,
        "names class 'org.apache.spark.ml.regression.LinearRegressionModel'");
    assertEquals(constructed, InstantiationCanary.CONSTRUCTED.get(), "the named class was never constructed");
  }

  @Test
  void paramValuesOutOfRangeOrUnknownAreRefused() throws IOException {
    Path maxIter = copy("lr");
    editMetadata(maxIter, j -> j.replace("\"maxIter\":5", "\"maxIter\":-3"));
    refused(() -> LogisticRegressionModel.load(maxIter.toString()), maxIter, "parameter maxIter given invalid value "
        + "-3");
    Path threshold = copy("lr");
    editMetadata(threshold, j -> j.replace("\"threshold\":0.4", "\"threshold\":7.0"));
    refused(() -> LogisticRegressionModel.load(threshold.toString()), threshold, "threshold", "7.0");
    Path unknown = copy("lr");
    editMetadata(unknown, j -> j.replace("\"maxIter\":5", "\"maxIter\":5,\"runThisCommand\":\"rm -rf /\""));
    refused(() -> LogisticRegressionModel.load(unknown.toString()), unknown, "runThisCommand");
    Path estimator = copy("lr-estimator");
    editMetadata(estimator, j -> j.replace("\"maxIter\":5", "\"maxIter\":0"));
    refused(() -> LogisticRegression.load(estimator.toString()), estimator, "maxIter given invalid value 0");
    Path device = copy("mlp");
    editMetadata(device, j -> j.replace("\"device\":\"auto\"", "\"device\":\"tpu\""));
    refused(() -> MultilayerPerceptronClassificationModel.load(device.toString()), device, "device", "tpu");
  }

  @Test
  void wrongCoefficientCountsAndNonFiniteValuesAreRefused() throws IOException {
    Path lrCount = copy("lr");
    rewriteData(lrCount, r -> RowFactory.create(r.get(0), r.get(1), r.get(2), new DenseMatrix(1, 3,
        new double[] {1, 2, 3}), r.get(4)));
    refused(() -> LogisticRegressionModel.load(lrCount.toString()), lrCount, "numFeatures 13",
        "1 x 13 coefficient matrix", "1 x 3 coefficients");
    Path lrClasses = copy("lr");
    rewriteData(lrClasses, r -> RowFactory.create(3, r.get(1), r.get(2), r.get(3), r.get(4)));
    refused(() -> LogisticRegressionModel.load(lrClasses.toString()), lrClasses, "numClasses is 3 for a binomial");

    Path linCount = copy("lin");
    rewriteData(linCount, r -> RowFactory.create(r.get(0), Vectors.dense(1, 2), r.get(2)));
    refused(() -> LinearRegressionModel.load(linCount.toString()), linCount, "numFeatures is 13 but there are 2 "
        + "coefficients");
    Path linNan = copy("lin");
    rewriteData(linNan, r -> RowFactory.create(r.get(0), Vectors.dense(new double[13]).copy(), r.get(2)));
    rewriteData(linNan, r -> {
      double[] c = new double[13];
      c[4] = Double.NaN;
      return RowFactory.create(r.get(0), Vectors.dense(c), r.get(2));
    });
    refused(() -> LinearRegressionModel.load(linNan.toString()), linNan, "coefficients[4] is NaN", "finite");

    Path mlpLayers = copy("mlp");
    rewriteData(mlpLayers, r -> RowFactory.create(new Integer[] {13, 5, 3}, r.get(1), r.get(2)));
    refused(() -> MultilayerPerceptronClassificationModel.load(mlpLayers.toString()), mlpLayers,
        "layers [13, 5, 3] need 88 weights", "there are 82 weights");
    Path mlpActivation = copy("mlp");
    rewriteData(mlpActivation, r -> RowFactory.create(r.get(0), "softmax", r.get(2)));
    refused(() -> MultilayerPerceptronClassificationModel.load(mlpActivation.toString()), mlpActivation,
        "activation is 'softmax'");
  }
}
