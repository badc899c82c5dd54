package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassificationModel;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multilayer perceptron is the same engine with hidden layers: with none it is multinomial logistic regression;
 * its weights use MLlib's layout, so MLlib's own model built from them predicts the same; it saves, loads and runs in
 * Pipelines like the other models.
 */
class MultilayerPerceptronTest {
  private static SparkSession spark;
  private static Dataset<Row> data;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    data = SyntheticData.classes(spark, 41L, 4_000, 6, 3, 0.8, 2).cache();
  }

  private static List<Row> probabilities(Dataset<Row> scored) {
    return scored.select("probability", "prediction").collectAsList();
  }

  @Test
  void withoutHiddenLayersItIsMultinomialLogisticRegression() {
    // The same start as LogisticRegression's: zero weights and intercepts at the smoothed class prior
    // log((w_c + 0.5) / (W + 0.5 k)), centred. Then both run the same arithmetic and must give the same model.
    List<Row> counts = data.groupBy("label").count().orderBy("label").collectAsList();
    double total = data.count();
    double[] prior = new double[3];
    double mean = 0;
    for (Row r : counts) {
      int c = (int) r.getDouble(0);
      prior[c] = Math.log((r.getLong(1) + 0.5) / (total + 0.5 * 3));
      mean += prior[c] / 3;
    }
    double[] start = new double[6 * 3 + 3];
    for (int c = 0; c < 3; c++) {
      start[18 + c] = prior[c] - mean;
    }
    MultilayerPerceptronClassificationModel mlp = new MultilayerPerceptronClassifier().setLayers(new int[] {6, 3})
        .setInitialWeights(Vectors.dense(start)).setRegParam(0.01).setBatchSize(1024).setLearningRate(0.05)
        .setMaxIter(10).setNumWorkers(2).setSeed(3L).fit(data);
    LogisticRegressionModel lr = new LogisticRegression().setFamily("multinomial").setRegParam(0.01)
        .setMaxIter(10).setNumWorkers(2).setSeed(3L).fit(data);
    List<Row> a = probabilities(mlp.transform(data));
    List<Row> b = probabilities(lr.transform(data));
    double maxDiff = 0;
    for (int i = 0; i < a.size(); i++) {
      Vector pa = a.get(i).getAs(0);
      Vector pb = b.get(i).getAs(0);
      for (int c = 0; c < 3; c++) {
        maxDiff = Math.max(maxDiff, Math.abs(pa.apply(c) - pb.apply(c)));
      }
    }
    // Float32 training on both paths; the raw-space round trip of the start adds rounding only.
    assertTrue(maxDiff < 1e-5, "largest probability difference " + maxDiff);
    assertArrayEquals(lr.summary().objectiveHistory(), mlp.summary().objectiveHistory(), 1e-6);
  }

  @Test
  void weightsBuildMllibsModelWithIdenticalPredictions() {
    MultilayerPerceptronClassificationModel ours = new MultilayerPerceptronClassifier()
        .setLayers(new int[] {6, 8, 5, 3}).setActivation("sigmoid").setMaxIter(5).fit(data);
    org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel mllib = ours.toMllib();
    List<Row> a = probabilities(ours.transform(data));
    List<Row> b = probabilities(mllib.transform(data));
    for (int i = 0; i < a.size(); i++) {
      Vector pa = a.get(i).getAs(0);
      Vector pb = b.get(i).getAs(0);
      assertArrayEquals(pb.toArray(), pa.toArray(), 1e-9, "row " + i);
      assertEquals(b.get(i).getDouble(1), a.get(i).getDouble(1));
    }
    assertThrows(IllegalStateException.class, () -> new MultilayerPerceptronClassifier()
        .setLayers(new int[] {6, 4, 3}).setMaxIter(1).fit(data).toMllib(), "relu does not convert");
  }

  @Test
  void initialWeightsInMllibLayoutAreTakenAsTheStart() {
    MultilayerPerceptronClassificationModel trained = new MultilayerPerceptronClassifier()
        .setLayers(new int[] {6, 4, 3}).setMaxIter(3).setSeed(5L).fit(data);
    // Zero epochs of change is not expressible; a tiny step from a given start stays near it instead.
    MultilayerPerceptronClassificationModel restarted = new MultilayerPerceptronClassifier()
        .setLayers(new int[] {6, 4, 3}).setInitialWeights(trained.weights()).setLearningRate(1e-7).setMaxIter(1)
        .fit(data);
    assertArrayEquals(trained.weights().toArray(), restarted.weights().toArray(), 1e-3);
    assertThrows(IllegalArgumentException.class, () -> new MultilayerPerceptronClassifier()
        .setLayers(new int[] {6, 4, 3}).setInitialWeights(Vectors.dense(1, 2, 3)).fit(data));
  }

  @Test
  void layersInconsistentWithTheDataAreRefusedWithTheFix() {
    IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
        () -> new MultilayerPerceptronClassifier().setLayers(new int[] {7, 4, 3}).fit(data));
    assertTrue(wide.getMessage().contains("6 features") && wide.getMessage().contains("[6, 4, 3]"),
        wide.getMessage());
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
        () -> new MultilayerPerceptronClassifier().setLayers(new int[] {6, 4, 2}).fit(data));
    assertTrue(few.getMessage().contains("label 2.0") && few.getMessage().contains("at least 3"),
        few.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new MultilayerPerceptronClassifier().fit(data));
  }

  @Test
  void savesLoadsAndRunsInAPipeline() throws IOException {
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new MultilayerPerceptronClassifier().setLayers(new int[] {6, 5, 3}).setMaxIter(3)});
    PipelineModel fitted = pipeline.fit(data);
    String path = dir.resolve("mlp-pipeline").toString();
    fitted.save(path);
    PipelineModel loaded = PipelineModel.load(path);
    assertEquals(probabilities(fitted.transform(data)), probabilities(loaded.transform(data)));
    MultilayerPerceptronClassificationModel model = (MultilayerPerceptronClassificationModel) loaded.stages()[0];
    assertArrayEquals(new int[] {6, 5, 3}, model.getLayers());
    assertEquals(fitted.stages()[0].uid(), model.uid());

    String estimatorPath = dir.resolve("mlp").toString();
    MultilayerPerceptronClassifier estimator = new MultilayerPerceptronClassifier().setLayers(new int[] {6, 2, 3})
        .setActivation("tanh").setBlockSize(64);
    estimator.save(estimatorPath);
    MultilayerPerceptronClassifier reloaded = MultilayerPerceptronClassifier.load(estimatorPath);
    assertArrayEquals(new int[] {6, 2, 3}, reloaded.getLayers());
    assertEquals("tanh", reloaded.getActivation());
    assertEquals(64, reloaded.getBlockSize());
  }
}
