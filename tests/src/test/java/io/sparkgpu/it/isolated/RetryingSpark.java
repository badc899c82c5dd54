package io.sparkgpu.it.isolated;

import io.sparkgpu.it.SparkActivity;
import org.apache.spark.sql.SparkSession;

/**
 * The session of the isolated tests, in a JVM of their own (surefire execution {@code isolated-session}):
 * {@code local[2,4]} so that a failed task is retried up to 4 times, and Spark's status store bounded to a few jobs
 * so that the memory of many fits is not Spark's job history.
 */
final class RetryingSpark {
  private static SparkSession session;

  private RetryingSpark() {}

  static synchronized SparkSession get() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2,4]")
          .appName("spark-gpu-isolated-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.adaptive.enabled", "false")
          .config("spark.ui.retainedJobs", "20")
          .config("spark.ui.retainedStages", "20")
          .config("spark.ui.retainedTasks", "200")
          .config("spark.sql.ui.retainedExecutions", "20")
          .config("spark.extraListeners", SparkActivity.class.getName())
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
    }
    return session;
  }
}
