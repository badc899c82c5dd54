package io.sparkgpu.it;

import org.apache.spark.sql.SparkSession;

/**
 * One local[2] SparkSession for every test class in this JVM (starting one costs seconds): the UI off, one attempt
 * per stage so that a failing task fails the test at once, few shuffle partitions for small data, spark-gpu's
 * plugin enabled, and {@link SparkActivity} counting jobs and running tasks.
 */
public final class SharedSpark {
  private static SparkSession session;

  private SharedSpark() {}

  public static synchronized SparkSession get() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("spark-gpu-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.stage.maxConsecutiveAttempts", "1")
          .config("spark.task.maxFailures", "1")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.adaptive.enabled", "false")
          // Every integration test runs with the plugin, as users are told to.
          .config("spark.plugins", "io.sparkgpu.plugin.SparkGpuPlugin")
          .config("spark.extraListeners", SparkActivity.class.getName())
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
    }
    return session;
  }
}
