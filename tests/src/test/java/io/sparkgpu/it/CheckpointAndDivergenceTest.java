package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.faults.FaultInjection;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.plugin.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults the fit must survive or report: a fit interrupted mid-way (every task of epoch k failing, the session
 * allowing one attempt) resumes from its checkpoint in checkpointDir and returns exactly the model of an
 * uninterrupted fit; checkpoints of another fit or damaged ones are refused naming the file and checkpointDir;
 * training that diverges stops naming the epoch and learningRate instead of returning NaN coefficients.
 */
class CheckpointAndDivergenceTest {
  private static SparkSession spark;
  private static Dataset<Row> data;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    data = SyntheticData.classes(spark, 21L, 3_000, 6, 3, 1.0, 2)
        .withColumn("isVal", functions.monotonically_increasing_id().mod(6).equalTo(0)).cache();
  }

  /** Runs {@code fit}, which must fail because every task of epoch {@code failFrom} and later fails. */
  private static void interruptedAt(int failFrom, Executable fit) {
    spark.sparkContext().setLocalProperty(FaultInjection.FAIL_FROM_EPOCH, Integer.toString(failFrom));
    try {
      SparkException e = assertThrows(SparkException.class, fit);
      assertTrue(e.getMessage().contains("Injected failure"), e.getMessage());
    } finally {
      spark.sparkContext().setLocalProperty(FaultInjection.FAIL_FROM_EPOCH, null);
    }
  }

  private static List<String> checkpoints(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
    }
  }

  /**
   * The descriptions of the training-epoch jobs of the fit {@code fit} runs, with one job per epoch (in local mode the
   * epochs would otherwise run as one job; the fits that are interrupted run that way).
   */
  private static List<String> epochJobs(Executable fit) throws Throwable {
    String key = PluginConfig.LOCAL_EPOCH_LOOP.name();
    int before = SparkActivity.jobs(spark.sparkContext());
    spark.sparkContext().setLocalProperty(key, "false");
    try {
      fit.execute();
    } finally {
      spark.sparkContext().setLocalProperty(key, null);
    }
    return SparkActivity.descriptionsSince(spark.sparkContext(), before).stream()
        .filter(d -> d.contains(" epoch ") && !d.contains("validation")).toList();
  }

  private static LogisticRegression lr() {
    return new LogisticRegression().setMaxIter(6).setNumWorkers(2).setSeed(5L).setRegParam(0.01);
  }

  @Test
  void anInterruptedLogisticRegressionResumesToTheSameModel() throws Throwable {
    LogisticRegressionModel clean = lr().fit(data);
    Path ckpt = dir.resolve("lr");
    String uri = ckpt.toUri().toString(); // file:///...: a Hadoop path, as on HDFS or S3
    interruptedAt(5, () -> lr().setCheckpointDir(uri).setCheckpointInterval(2).fit(data));
    assertEquals(List.of("checkpoint-000004.bin"), checkpoints(ckpt), "saved after epochs 2 and 4, newest kept");

    LogisticRegressionModel[] resumed = new LogisticRegressionModel[1];
    List<String> jobs = epochJobs(() -> resumed[0] = lr().setCheckpointDir(uri).setCheckpointInterval(2).fit(data));
    assertEquals(2, jobs.size(), "only epochs 5 and 6 run again: " + jobs);
    assertTrue(jobs.get(0).startsWith("LogisticRegression epoch 5/6"), jobs.toString());
    assertArrayEquals(clean.coefficientMatrix().toArray(), resumed[0].coefficientMatrix().toArray(), 0.0);
    assertArrayEquals(clean.interceptVector().toArray(), resumed[0].interceptVector().toArray(), 0.0);
    assertArrayEquals(clean.summary().objectiveHistory(), resumed[0].summary().objectiveHistory(), 0.0);
    assertEquals(List.of(), checkpoints(ckpt), "a finished fit deletes its checkpoints");
  }

  @Test
  void anInterruptedPerceptronWithValidationRowsResumesToTheSameModel() throws Throwable {
    MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {6, 8, 3})
        .setMaxIter(5).setNumWorkers(2).setSeed(7L).setAveragingFrequency(2).setValidationIndicatorCol("isVal")
        .setEarlyStoppingPatience(4);
    MultilayerPerceptronClassificationModel clean = mlp.fit(data);
    String ckpt = dir.resolve("mlp").toString();
    interruptedAt(3, () -> mlp.copy(ParamMap.empty()).setCheckpointDir(ckpt).setCheckpointInterval(1).fit(data));
    MultilayerPerceptronClassificationModel[] resumed = new MultilayerPerceptronClassificationModel[1];
    List<String> jobs = epochJobs(() -> resumed[0] = mlp.copy(ParamMap.empty()).setCheckpointDir(ckpt)
        .setCheckpointInterval(1).fit(data));
    assertEquals(6, jobs.size(), "epochs 3 to 5, two averaging rounds each: " + jobs);
    assertArrayEquals(clean.weights().toArray(), resumed[0].weights().toArray(), 0.0);
    assertArrayEquals(clean.summary().validationLossHistory(), resumed[0].summary().validationLossHistory(), 0.0);
    assertEquals(clean.summary().bestEpoch(), resumed[0].summary().bestEpoch());
  }

  @Test
  void checkpointsOfAnotherFitOrDamagedOnesAreRefused() throws IOException {
    Path ckpt = dir.resolve("shared");
    String path = ckpt.toString();
    interruptedAt(3, () -> lr().setCheckpointDir(path).setCheckpointInterval(2).fit(data));
    String file = ckpt.resolve("checkpoint-000002.bin").toUri().getPath();

    IllegalArgumentException otherEstimator = assertThrows(IllegalArgumentException.class, () -> new LinearRegression()
        .setMaxIter(6).setNumWorkers(2).setSeed(5L).setCheckpointDir(path).fit(data));
    assertTrue(otherEstimator.getMessage().contains("checkpoint-000002.bin") && otherEstimator.getMessage()
        .contains("estimator (LogisticRegression in the checkpoint, LinearRegression in this fit)")
        && otherEstimator.getMessage().contains("Set checkpointDir"), otherEstimator.getMessage());

    Dataset<Row> fourFeatures = SyntheticData.classes(spark, 21L, 3_000, 4, 3, 1.0, 2);
    IllegalArgumentException otherShape = assertThrows(IllegalArgumentException.class,
        () -> lr().setCheckpointDir(path).fit(fourFeatures));
    assertTrue(otherShape.getMessage().contains("network (NetworkSpec[6, 3] IDENTITY SOFTMAX_CROSS_ENTROPY in the "
        + "checkpoint, NetworkSpec[4, 3] IDENTITY SOFTMAX_CROSS_ENTROPY in this fit)"), otherShape.getMessage());

    IllegalArgumentException otherSetting = assertThrows(IllegalArgumentException.class,
        () -> lr().setRegParam(0.02).setCheckpointDir(path).fit(data));
    assertTrue(otherSetting.getMessage().contains("l2 (sha256:"), otherSetting.getMessage());

    byte[] whole = Files.readAllBytes(ckpt.resolve("checkpoint-000002.bin"));
    Files.write(ckpt.resolve("checkpoint-000002.bin"), java.util.Arrays.copyOf(whole, whole.length - 40));
    IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
        () -> lr().setCheckpointDir(path).fit(data));
    assertTrue(truncated.getMessage().contains(file) && truncated.getMessage().contains("checkpointDir"),
        truncated.getMessage());
    Files.deleteIfExists(ckpt.resolve(".checkpoint-000002.bin.crc")); // as if copied by a tool that drops them
    IllegalArgumentException corrupt = assertThrows(IllegalArgumentException.class,
        () -> lr().setCheckpointDir(path).fit(data));
    assertTrue(corrupt.getMessage().contains(file) && corrupt.getMessage().contains("is corrupt")
        && corrupt.getMessage().contains("truncated or modified"), corrupt.getMessage());
    assertEquals(List.of("checkpoint-000002.bin"), checkpoints(ckpt), "a refused checkpoint is left for the user");
  }

  @Test
  void divergingTrainingStopsNamingTheEpochAndTheSetting() {
    Dataset<Row> regression = SyntheticData.regression(spark, 2L, 2_000, 5, 1.0, 0.1, 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new LinearRegression()
        .setOptimizer("sgd").setLearningRate(100).setMaxIter(5).setNumWorkers(2).fit(regression));
    assertTrue(e.getMessage().matches("LinearRegression diverged in epoch \\d: the training objective became "
        + "(Infinity|NaN) with learningRate .*"), e.getMessage());
    assertTrue(e.getMessage().contains("lower learningRate"), e.getMessage());
    IllegalStateException mlp = assertThrows(IllegalStateException.class, () -> new MultilayerPerceptronClassifier()
        .setLayers(new int[] {6, 8, 3}).setSolver("gd").setStepSize(1e6).setMaxIter(5).setNumWorkers(2).fit(data));
    assertTrue(mlp.getMessage().matches("MultilayerPerceptronClassifier diverged in epoch \\d: .*"),
        mlp.getMessage());
  }
}
