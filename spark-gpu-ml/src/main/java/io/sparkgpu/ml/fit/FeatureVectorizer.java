package io.sparkgpu.ml.fit;

import io.sparkgpu.ml.param.TrainerParams;
import java.util.ArrayList;
import java.util.List;
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
