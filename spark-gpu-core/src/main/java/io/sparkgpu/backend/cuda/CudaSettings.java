package io.sparkgpu.backend.cuda;

import java.util.Locale;
import java.util.function.Function;
import org.apache.spark.network.util.JavaUtils;

/**
 * The Spark configuration of the CUDA backend: each key is declared once below with its meaning, valid range and
 * default, and {@link #parse} checks every value. A plain value; owns nothing.
 *
 * @param resourceName the Spark resource whose addresses name the task's GPU
 * @param poolFraction the share of the device's free memory that one backend may allocate
 * @param reserveBytes device memory always left free (CUDA context, cuBLAS work space, other processes)
 * @param concurrentTasks trainers that may run at the same time on one GPU
 */
public record CudaSettings(String resourceName, double poolFraction, long reserveBytes, int concurrentTasks) {

  /** The resource name of GPUs in {@code TaskContext.resources()}. Default {@code gpu}. */
  public static final String RESOURCE_NAME_KEY = "spark.sparkgpu.gpu.resourceName";
  public static final String DEFAULT_RESOURCE_NAME = "gpu";

  /** Share of the free device memory, in (0, 1], that the memory pool may use. Default 0.9. */
  public static final String POOL_FRACTION_KEY = "spark.sparkgpu.gpu.poolFraction";
  public static final double DEFAULT_POOL_FRACTION = 0.9;

  /** Device memory left outside the pool, a size such as {@code 640m} or {@code 1g}, at least 0. Default 640 MiB. */
  public static final String RESERVE_KEY = "spark.sparkgpu.gpu.reserve";
  public static final long DEFAULT_RESERVE_BYTES = 640L << 20;

  /** Trainers running at once on one GPU (tasks beyond it wait), at least 1. Default 2. */
  public static final String CONCURRENT_TASKS_KEY = "spark.sparkgpu.gpu.concurrentTasks";
  public static final int DEFAULT_CONCURRENT_TASKS = 2;

  public CudaSettings {
    if (resourceName == null || resourceName.isBlank()) {
      throw new IllegalArgumentException(RESOURCE_NAME_KEY + " must name a resource (such as 'gpu') but was '"
          + resourceName + "'");
    }
    if (!(poolFraction > 0 && poolFraction <= 1)) {
      throw new IllegalArgumentException(POOL_FRACTION_KEY + " must be in (0, 1] but was " + poolFraction);
    }
    if (reserveBytes < 0) {
      throw new IllegalArgumentException(RESERVE_KEY + " must be at least 0 bytes but was " + reserveBytes);
    }
    if (concurrentTasks < 1) {
      throw new IllegalArgumentException(CONCURRENT_TASKS_KEY + " must be at least 1 but was " + concurrentTasks);
    }
  }

  public static CudaSettings defaults() {
    return new CudaSettings(DEFAULT_RESOURCE_NAME, DEFAULT_POOL_FRACTION, DEFAULT_RESERVE_BYTES,
        DEFAULT_CONCURRENT_TASKS);
  }

  /** Reads the settings through {@code conf}, which returns a key's value or null when the key is unset. */
  public static CudaSettings parse(Function<String, String> conf) {
    String name = conf.apply(RESOURCE_NAME_KEY);
    String fraction = conf.apply(POOL_FRACTION_KEY);
    String reserve = conf.apply(RESERVE_KEY);
    String tasks = conf.apply(CONCURRENT_TASKS_KEY);
    return new CudaSettings(
        name == null ? DEFAULT_RESOURCE_NAME : name.trim(),
        fraction == null ? DEFAULT_POOL_FRACTION : parseDouble(POOL_FRACTION_KEY, fraction),
        reserve == null ? DEFAULT_RESERVE_BYTES : parseBytes(RESERVE_KEY, reserve),
        tasks == null ? DEFAULT_CONCURRENT_TASKS : parseInt(CONCURRENT_TASKS_KEY, tasks));
  }

  private static double parseDouble(String key, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number such as 0.9 but was '" + value + "'", e);
    }
  }

  private static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer such as 2 but was '" + value + "'", e);
    }
  }

  private static long parseBytes(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.startsWith("-")) {
      throw new IllegalArgumentException(key + " must be at least 0 bytes but was '" + value + "'");
    }
    try {
      return JavaUtils.byteStringAsBytes(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a size such as 640m or 1g but was '" + value + "'", e);
    }
  }
}
