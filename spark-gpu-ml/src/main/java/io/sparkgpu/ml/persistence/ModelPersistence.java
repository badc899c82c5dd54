package io.sparkgpu.ml.persistence;

import java.util.List;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
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
   * Reads the metadata (refusing any class but {@code expectedClass}: nothing else is ever instantiated from a saved
   * model) and the data row of a saved model. Throws IllegalArgumentException naming the path.
   */
  public static Loaded load(String path, SparkSession spark, String expectedClass) {
    DefaultParamsReader.Metadata metadata;
    try {
      metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, spark, "");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Model metadata at " + path + "/metadata cannot be read (" + e.getMessage()
          + "); save the model again", e);
    }
    if (!expectedClass.equals(metadata.className())) {
      throw new IllegalArgumentException("Model metadata at " + path + "/metadata names class '"
          + metadata.className() + "' but this reader loads only " + expectedClass + "; load the model with the "
          + "reader of the class that saved it");
    }
    List<Row> rows;
    try {
      rows = spark.read().parquet(path + "/data").collectAsList();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Model data at " + path + "/data cannot be read (" + e.getMessage()
          + "); save the model again", e);
    }
    if (rows.size() != 1) {
      throw new IllegalArgumentException("Model data at " + path + "/data must hold exactly 1 row but holds "
          + rows.size());
    }
    return new Loaded(metadata, rows.get(0));
  }

  /**
   * Sets the saved Params on {@code stage}, each checked by its Param's validator; an unknown Param or a value out
   * of range is refused with an IllegalArgumentException naming the path and the Param.
   */
  public static void applyParams(DefaultParamsReader.Metadata metadata, Params stage, String path) {
    try {
      metadata.getAndSetParams(stage, scala.Option.empty());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Model metadata at " + path + "/metadata holds an invalid Param: "
          + e.getMessage() + " Save the model again, or fix the value in its metadata", e);
    }
  }

  /**
   * A reader of a Params-only stage (our Estimators) that, unlike MLlib's {@code DefaultParamsReader}, checks the
   * class named in the metadata before instantiating anything: only {@code type} itself is ever created.
   */
  public static <T extends Params> MLReader<T> stageReader(Class<T> type) {
    return new StageReader<>(type);
  }

  private static final class StageReader<T extends Params> extends MLReader<T> {
    private final Class<T> type;

    StageReader(Class<T> type) {
      this.type = type;
    }

    @Override
    public T load(String path) {
      DefaultParamsReader.Metadata metadata;
      try {
        metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), "");
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("Metadata at " + path + "/metadata cannot be read (" + e.getMessage()
            + "); save the stage again", e);
      }
      if (!type.getName().equals(metadata.className())) {
        throw new IllegalArgumentException("Metadata at " + path + "/metadata names class '" + metadata.className()
            + "' but this reader loads only " + type.getName() + "; load it with the reader of the class that "
            + "saved it");
      }
      T stage;
      try {
        stage = type.getConstructor(String.class).newInstance(metadata.uid());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(type.getName() + " lacks a public (String uid) constructor", e);
      }
      applyParams(metadata, stage, path);
      return stage;
    }
  }

  /** Refuses a NaN or infinite model value, naming the path and what holds it. */
  public static void checkFinite(String path, String what, double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("Model data at " + path + "/data: " + what + "[" + i + "] is "
            + values[i] + "; a model's values must be finite (save the model again)");
      }
    }
  }

  /** Refuses inconsistent model data: {@code problem} is what does not match. */
  public static IllegalArgumentException inconsistent(String path, String problem) {
    return new IllegalArgumentException("Model data at " + path + "/data is inconsistent: " + problem
        + "; save the model again");
  }
}
