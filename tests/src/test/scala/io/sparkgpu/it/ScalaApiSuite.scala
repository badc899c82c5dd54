package io.sparkgpu.it

import io.sparkgpu.ml.classification.{LogisticRegression, LogisticRegressionModel}
import io.sparkgpu.ml.regression.LinearRegression
import org.apache.spark.ml.{Pipeline, PipelineModel}
import org.apache.spark.ml.evaluation.{BinaryClassificationEvaluator, RegressionEvaluator}
import org.apache.spark.ml.feature.VectorAssembler
import org.apache.spark.ml.tuning.{CrossValidator, ParamGridBuilder}
import org.apache.spark.sql.SparkSession
import org.scalatest.funsuite.AnyFunSuite

import java.nio.file.Files
import scala.util.Random

/** Rows of a user's table, as a Scala user would hold them. */
case class House(size: Double, rooms: Double, age: Double, price: Double)

case class Patient(x1: Double, x2: Double, sick: Double)

/**
 * The public API used the way a Scala user writes it: case classes and implicits, setter chains, a Pipeline with
 * VectorAssembler, ParamGridBuilder over our Params, save and load. Expectations come from closed forms and from
 * MLlib's own estimators fitted here.
 */
class ScalaApiSuite extends AnyFunSuite {
  private val spark: SparkSession = SharedSpark.get()

  import spark.implicits._

  private def houses(n: Int, seed: Long): Seq[House] = {
    val r = new Random(seed)
    Seq.fill(n) {
      val size = 50 + 150 * r.nextDouble()
      val rooms = (1 + r.nextInt(6)).toDouble
      val age = 100 * r.nextDouble()
      House(size, rooms, age, 1000 + 30 * size + 500 * rooms - 8 * age + 20 * r.nextGaussian())
    }
  }

  test("LinearRegression in a Pipeline recovers the generating coefficients") {
    val df = houses(5000, 1L).toDF()
    val assembler = new VectorAssembler().setInputCols(Array("size", "rooms", "age")).setOutputCol("features")
    val lr = new LinearRegression().setLabelCol("price")
    val model = new Pipeline().setStages(Array(assembler, lr)).fit(df)
    val fitted = model.stages.last.asInstanceOf[io.sparkgpu.ml.regression.LinearRegressionModel]
    val expected = Array(30.0, 500.0, -8.0)
    fitted.coefficients.toArray.zip(expected).foreach { case (got, want) =>
      assert(math.abs(got - want) < 0.02 * math.abs(want), s"coefficient $got, generated with $want")
    }
    assert(math.abs(fitted.intercept - 1000.0) < 10.0, s"intercept ${fitted.intercept}")
    val rmse = new RegressionEvaluator().setLabelCol("price").evaluate(model.transform(df))
    assert(rmse < 21.0, s"RMSE $rmse with noise sigma 20")
  }

  test("LogisticRegression with featuresCols, CrossValidator and save/load from Scala") {
    val r = new Random(3L)
    val df = Seq.fill(2000) {
      val x1 = r.nextGaussian()
      val x2 = r.nextGaussian()
      val p = 1.0 / (1.0 + math.exp(-(2.0 * x1 - 1.0 * x2 + 0.5)))
      Patient(x1, x2, if (r.nextDouble() < p) 1.0 else 0.0)
    }.toDF().cache()
    val lr = new LogisticRegression().setFeaturesCols(Array("x1", "x2")).setLabelCol("sick").setMaxIter(10)
    val grid = new ParamGridBuilder().addGrid(lr.regParam, Array(0.0, 0.01)).build()
    val cv = new CrossValidator().setEstimator(lr).setEstimatorParamMaps(grid)
      .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("sick")).setNumFolds(2).setSeed(5L)
    val best = cv.fit(df).bestModel.asInstanceOf[LogisticRegressionModel]

    val reference = new org.apache.spark.ml.classification.LogisticRegression().setLabelCol("sick")
      .fit(new VectorAssembler().setInputCols(Array("x1", "x2")).setOutputCol("features").transform(df))
    best.coefficients.toArray.zip(reference.coefficients.toArray).foreach { case (ours, theirs) =>
      assert(math.abs(ours - theirs) < 0.05, s"coefficient $ours vs MLlib $theirs")
    }

    val dir = Files.createTempDirectory("sparkgpu-scala").resolve("model").toString
    best.write.overwrite().save(dir)
    val loaded = LogisticRegressionModel.load(dir)
    assert(loaded.uid == best.uid)
    val a = best.transform(df).select("prediction").as[Double].collect()
    val b = loaded.transform(df).select("prediction").as[Double].collect()
    assert(a.sameElements(b))
  }

  test("a PipelineModel with our stage loads through MLlib's generic reader") {
    val df = houses(500, 9L).toDF()
    val pipeline = new Pipeline().setStages(Array(
      new VectorAssembler().setInputCols(Array("size", "rooms", "age")).setOutputCol("features"),
      new LinearRegression().setLabelCol("price").setMaxIter(5)))
    val model = pipeline.fit(df)
    val dir = Files.createTempDirectory("sparkgpu-scala").resolve("pipeline").toString
    model.save(dir)
    val loaded = PipelineModel.load(dir)
    val a = model.transform(df).select("prediction").as[Double].collect()
    val b = loaded.transform(df).select("prediction").as[Double].collect()
    assert(a.sameElements(b))
  }
}
