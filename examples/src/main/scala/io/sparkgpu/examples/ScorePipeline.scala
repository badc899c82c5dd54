package io.sparkgpu.examples

import java.nio.file.{Files, Paths}

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator
import org.apache.spark.ml.functions.vector_to_array
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.sql.functions.col

/**
 * Loads a PipelineModel saved by TrainPipeline with MLlib's own reader, scores a data set with it, prints the
 * accuracy, and writes label, probability of class 1 and prediction per row as Parquet.
 *
 * {{{
 * spark-submit --master local[2] --jars spark-gpu-ml-0.1.0-SNAPSHOT-dist.jar \
 *   --conf spark.plugins=io.sparkgpu.plugin.SparkGpuPlugin --class io.sparkgpu.examples.ScorePipeline \
 *   spark-gpu-examples-0.1.0-SNAPSHOT.jar /tmp/a9a-model examples/data/a9a.t.gz /tmp/a9a-predictions
 * }}}
 */
object ScorePipeline {
  def main(args: Array[String]): Unit = {
    if (args.length != 3) {
      System.err.println("Usage: ScorePipeline <model directory> <data> <predictions output directory>\n" +
        "  data: a libsvm file or Parquet with label and features columns, as given to TrainPipeline")
      sys.exit(2)
    }
    val Array(modelPath, dataPath, outputPath) = args
    val spark = SparkSession.builder().appName("spark-gpu example: score with a saved Pipeline")
      .master(sys.props.getOrElse("spark.master", "local[2]"))
      .getOrCreate()
    try {
      val model = PipelineModel.load(modelPath)
      val lr = model.stages.last.asInstanceOf[io.sparkgpu.ml.classification.LogisticRegressionModel]
      val scored = model.transform(read(spark, dataPath, lr.numFeatures)).cache()
      val accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored)
      val positive = scored.filter(col("prediction") === 1.0).count()
      println(f"ScorePipeline: loaded ${model.stages.length} stages, last ${lr.getClass.getSimpleName} with " +
        f"${lr.numFeatures} features")
      println(f"ScorePipeline: scored ${scored.count()} rows, $positive predicted 1.0, accuracy $accuracy%.6f")
      scored.select(col("label"), vector_to_array(col("probability")).getItem(1).as("probability"),
        col("prediction")).write.mode("overwrite").parquet(outputPath)
      println(s"ScorePipeline: wrote the predictions to $outputPath")
    } finally {
      spark.stop()
    }
  }

  /** A libsvm file with the model's feature count, or Parquet (a path ending in .parquet, or a directory). */
  private def read(spark: SparkSession, path: String, numFeatures: Int): DataFrame =
    if (path.endsWith(".parquet") || Files.isDirectory(Paths.get(path))) spark.read.parquet(path)
    else spark.read.format("libsvm").option("numFeatures", numFeatures.toString).load(path)
}
