package io.sparkgpu.ml.persistence;

import java.util.List;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Saves and loads our models in MLlib's layout: {@code path/metadata} (class, uid, Params, as MLlib's
 * DefaultParamsWriter writes it) and {@code path/data} (one Parquet row). Every call into MLlib's
 * {@code private[ml]} persistence helpers lives here, covered by the save/load round-trip tests.
 */
public final class ModelPersistence {
  private ModelPersistence() {}

  /** A model's metadata and its single data row. */
  public record Loaded(DefaultParamsReader.Metadata metadata, Row data) {}

  /** A writer that saves {@code stage}'s metadata and {@code data} (one row of {@code schema}). */
  public static MLWriter writer(Params stage, StructType schema, Row data) {
    return new StageWriter(stage, schema, data);
  }

  private static final class StageWriter extends MLWriter {
    private final Params stage;
    private final StructType schema;
    private final Row data;

    StageWriter(Params stage, StructType schema, Row data) {
      this.stage = stage;
      this.schema = schema;
      this.data = data;
    }

    @Override
    public void saveImpl(String path) {
      SparkSession spark = sparkSession();
      DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, spark);
      spark.createDataFrame(List.of(data), schema).repartition(1).write().parquet(path + "/data");
    }
  }

  /**
   * Reads the metadata (refusing any class but {@code expectedClass}) and the data row of a saved model.
   */
  public static Loaded load(String path, SparkSession spark, String expectedClass) {
    DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, spark, expectedClass);
    List<Row> rows = spark.read().parquet(path + "/data").collectAsList();
    if (rows.size() != 1) {
      throw new IllegalArgumentException("Model data at " + path + "/data must hold exactly 1 row but holds "
          + rows.size());
    }
    return new Loaded(metadata, rows.get(0));
  }

  /** Sets the saved Params (each validated by its Param) on {@code stage}. */
  public static void applyParams(DefaultParamsReader.Metadata metadata, Params stage) {
    metadata.getAndSetParams(stage, scala.Option.empty());
  }
}
