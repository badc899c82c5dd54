package io.sparkgpu.examples;

import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.LogisticRegressionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Fits a Pipeline with spark-gpu's LogisticRegression, evaluates it on held-out data and saves the PipelineModel
 * (score with it in {@code ScorePipeline}). The data are libsvm files or Parquet with {@code label} and
 * {@code features} columns; a Spark SQL stage turns the -1/+1 labels of libsvm data sets such as a9a into 0/1 and
 * drops rows without features (Parquet data may have them), and travels inside the saved model.
 *
 * <pre>
 * spark-submit --master local[2] --jars spark-gpu-ml-0.1.0-SNAPSHOT-dist.jar \
 *   --conf spark.plugins=io.sparkgpu.plugin.SparkGpuPlugin --class io.sparkgpu.examples.TrainPipeline \
 *   spark-gpu-examples-0.1.0-SNAPSHOT.jar examples/data/a9a.gz examples/data/a9a.t.gz /tmp/a9a-model
 * </pre>
 */
public final class TrainPipeline {
  /** Labels to 0/1 and rows with null features dropped, in Spark SQL; a stage of the saved model. */
  public static final String PREPARE = "SELECT CAST(label > 0 AS DOUBLE) AS label, features FROM __THIS__ "
      + "WHERE features IS NOT NULL";

  private TrainPipeline() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("Usage: TrainPipeline <training data> <test data> <model output directory>\n"
          + "  data: a libsvm file (e.g. examples/data/a9a.gz) or Parquet with label and features columns");
      System.exit(2);
    }
    SparkSession spark = SparkSession.builder().appName("spark-gpu example: train a Pipeline")
        .master(System.getProperty("spark.master", "local[2]"))
        .getOrCreate();
    try {
      run(spark, args[0], args[1], args[2]);
    } finally {
      spark.stop();
    }
  }

  static void run(SparkSession spark, String trainPath, String testPath, String modelPath) throws IOException {
    Dataset<Row> train = read(spark, trainPath, 0).cache();
    int numFeatures = ((Vector) train.first().getAs("features")).size();
    Dataset<Row> test = read(spark, testPath, numFeatures).cache();
    System.out.printf("TrainPipeline: %d training rows, %d test rows, %d features%n", train.count(), test.count(),
        numFeatures);

    LogisticRegression lr = new LogisticRegression().setRegParam(1e-4).setSeed(42L);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {new SQLTransformer().setStatement(PREPARE), lr});
    PipelineModel model = pipeline.fit(train);
    LogisticRegressionModel fitted = (LogisticRegressionModel) model.stages()[1];
    double[] history = fitted.summary().objectiveHistory();
    System.out.printf("TrainPipeline: LogisticRegression trained %d epochs, final objective %.6f, %.0f rows/s%n",
        history.length, history[history.length - 1],
        java.util.Arrays.stream(fitted.summary().rowsPerSecond()).average().orElse(Double.NaN));

    Dataset<Row> scored = model.transform(test);
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
    double auc = new BinaryClassificationEvaluator().setMetricName("areaUnderROC").evaluate(scored);
    System.out.printf("TrainPipeline: test accuracy %.6f%n", accuracy);
    System.out.printf("TrainPipeline: test areaUnderROC %.6f%n", auc);

    model.write().overwrite().save(modelPath);
    System.out.printf("TrainPipeline: saved the PipelineModel to %s%n", modelPath);
  }

  /**
   * A libsvm file, or Parquet when the path ends in .parquet or is a directory. {@code numFeatures} 0 lets Spark
   * count the features of a libsvm file.
   */
  static Dataset<Row> read(SparkSession spark, String path, int numFeatures) {
    if (path.endsWith(".parquet") || Files.isDirectory(Paths.get(path))) {
      return spark.read().parquet(path);
    }
    return numFeatures > 0
        ? spark.read().format("libsvm").option("numFeatures", Integer.toString(numFeatures)).load(path)
        : spark.read().format("libsvm").load(path);
  }
}
