package io.sparkgpu.ml.fit;

import io.sparkgpu.ml.param.TrainerParams;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Lets a model score features given as an {@code array<numeric>} column or as numeric columns ({@code featuresCols})
 * by adding a temporary Vector column for MLlib's scoring path. Pure apart from building Column expressions.
 */
public final class FeatureVectorizer {
  private FeatureVectorizer() {}

  /** True when the features are already one Vector column that MLlib's transform can read. */
  public static boolean isVectorInput(StructType schema, TrainerParams params, String featuresCol) {
    if (params.getFeaturesCols().length > 0) {
      return false;
    }
    for (StructField f : schema.fields()) {
      if (f.name().equals(featuresCol)) {
        return f.dataType() instanceof VectorUDT;
      }
    }
    return true; // missing: let MLlib's own check report it
  }

  /** A name for the temporary column that does not clash with {@code schema}. */
  public static String temporaryColumn(StructType schema) {
    String name = "__sparkgpu_features";
    List<String> names = List.of(schema.fieldNames());
    while (names.contains(name)) {
      name = name + "_";
    }
    return name;
  }

  /** {@code dataset} with the features as a Vector column named {@code name}. */
  public static Dataset<Row> withVectorColumn(Dataset<?> dataset, TrainerParams params, String featuresCol,
      String name) {
    Column array;
    String[] cols = params.getFeaturesCols();
    if (cols.length > 0) {
      List<Column> parts = new ArrayList<>();
      for (String c : cols) {
        parts.add(functions.col(c).cast(DataTypes.DoubleType));
      }
      array = functions.array(parts.toArray(new Column[0]));
    } else {
      array = functions.col(featuresCol).cast(DataTypes.createArrayType(DataTypes.DoubleType));
    }
    return dataset.withColumn(name, org.apache.spark.ml.functions.array_to_vector(array));
  }

  /**
   * A model's transform for every kind of features input: MLlib's own transform ({@code vectorTransform}) for a
   * Vector column; otherwise the same model reading a temporary Vector column built from the array or numeric
   * columns, which is dropped from the result.
   */
  public static <M extends PredictionModel<Vector, M> & TrainerParams> Dataset<Row> transform(M model,
      Dataset<?> dataset, Function<Dataset<?>, Dataset<Row>> vectorTransform) {
    if (isVectorInput(dataset.schema(), model, model.getFeaturesCol())) {
      return vectorTransform.apply(dataset);
    }
    String tmp = temporaryColumn(dataset.schema());
    M vectorModel = model.copy(ParamMap.empty());
    vectorModel.set(vectorModel.featuresCols(), new String[0]);
    vectorModel.set(vectorModel.featuresCol(), tmp);
    return vectorModel.transform(withVectorColumn(dataset, model, model.getFeaturesCol(), tmp)).drop(tmp);
  }

  /**
   * A stage's output schema for every kind of features input: MLlib's ({@code vectorSchema}) for a Vector column;
   * otherwise our own checks of the input columns (when {@code labelCol} is given, as when fitting) and
   * {@code outputs} appended.
   */
  public static StructType transformSchema(StructType schema, TrainerParams params, String featuresCol,
      String labelCol, Function<StructType, StructType> vectorSchema, StructField... outputs) {
    if (isVectorInput(schema, params, featuresCol)) {
      return vectorSchema.apply(schema);
    }
    if (labelCol != null) {
      io.sparkgpu.arrow.DatasetBatcher.checkSchema(schema, EngineFit.features(params, featuresCol), labelCol,
          params.weightColOrNull());
    }
    return append(schema, outputs);
  }

  /** The output columns of a probabilistic classifier: raw prediction, probability, prediction. */
  public static StructField[] classifierOutputs(String rawPredictionCol, String probabilityCol,
      String predictionCol) {
    return new StructField[] {vectorField(rawPredictionCol), vectorField(probabilityCol),
        doubleField(predictionCol)};
  }

  /** {@code schema} with {@code fields} appended; a field whose name exists already is an error. */
  public static StructType append(StructType schema, StructField... fields) {
    StructType out = schema;
    for (StructField f : fields) {
      for (String existing : out.fieldNames()) {
        if (existing.equals(f.name())) {
          throw new IllegalArgumentException("Output column " + f.name() + " already exists; rename it or set the "
              + "output column Param to another name");
        }
      }
      out = out.add(f);
    }
    return out;
  }

  public static StructField doubleField(String name) {
    return new StructField(name, DataTypes.DoubleType, false, Metadata.empty());
  }

  public static StructField vectorField(String name) {
    DataType t = new VectorUDT();
    return new StructField(name, t, false, Metadata.empty());
  }
}
