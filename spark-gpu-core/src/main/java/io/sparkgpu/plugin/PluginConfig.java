package io.sparkgpu.plugin;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;

/**
 * The Spark configuration keys the plugin reads, each declared once with its doc, default and check. The same keys,
 * defaults and meanings are listed in {@code conf/spark-defaults.conf.template} (a test keeps the two in step).
 */
public final class PluginConfig {
  private PluginConfig() {}

  /**
   * One configuration key.
   *
   * @param name the key
   * @param doc meaning, valid range and default (the template repeats it word for word)
   * @param parse parses and checks a value, throwing IllegalArgumentException that names the key
   */
  public record Key<T>(String name, String doc, Function<String, T> parse) {
    /** The value set in {@code conf}, parsed and checked; empty when unset. */
    public Optional<T> get(SparkConf conf) {
      return conf.contains(name) ? Optional.of(parse.apply(conf.get(name))) : Optional.empty();
    }
  }

  /** Smallest accepted resident-data limit. */
  static final long MIN_RESIDENT_BYTES = 1L << 20;

  public static final Key<Long> RESIDENT_CACHE_MAX_BYTES = new Key<>("spark.sparkgpu.residentCache.maxBytes",
      "bytes of training data an executor keeps resident between epochs (least recently used partitions beyond it "
          + "are evicted and rebuilt from Spark's cache when needed); a size such as 4g, at least 1m. "
          + "Default: half of the executor's heap.",
      v -> parseBytes("spark.sparkgpu.residentCache.maxBytes", v, MIN_RESIDENT_BYTES));

  public static final Key<Boolean> LOCAL_EPOCH_LOOP = new Key<>("spark.sparkgpu.localEpochLoop",
      "in local mode, run all the epochs of a fit as one Spark job whose tasks stay alive between epochs (true), or "
          + "one job per epoch (false), as on a cluster; the single job holds one task slot per partition for the "
          + "whole fit. Also read from a local property of the fitting thread (sc.setLocalProperty), which wins. "
          + "Default: true.",
      v -> parseBoolean("spark.sparkgpu.localEpochLoop", v));

  /** Every key, in the template's order. */
  public static List<Key<?>> all() {
    return List.of(RESIDENT_CACHE_MAX_BYTES, LOCAL_EPOCH_LOOP);
  }

  static boolean parseBoolean(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false but was '" + value + "'");
    }
    return v.equals("true");
  }

  static long parseBytes(String key, String value, long min) {
    long bytes;
    try {
      bytes = JavaUtils.byteStringAsBytes(value.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " must be a size such as 512m or 4g but was '" + value + "'", e);
    }
    if (bytes < min) {
      throw new IllegalArgumentException(key + " must be at least " + min + " bytes but was " + value + " ("
          + bytes + " bytes); raise " + key + " or unset it");
    }
    return bytes;
  }
}
