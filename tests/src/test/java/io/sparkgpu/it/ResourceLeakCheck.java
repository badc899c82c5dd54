package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgpu.arrow.ArrowAllocators;
import io.sparkgpu.train.ResidentDataCache;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves spark-gpu resources behind: Arrow memory or unclosed allocators, or partitions
 * still resident in the executor cache (local mode: the executors are this JVM). Registered for every JUnit class of
 * this module through the extension auto-detection switched on in {@code junit-platform.properties}.
 */
public final class ResourceLeakCheck implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    scala.Option<SparkSession> session = SparkSession.getDefaultSession();
    if (session.isDefined()) {
      SparkActivity.awaitIdle(session.get().sparkContext());
    }
    String where = context.getDisplayName();
    assertEquals(List.of(), ArrowAllocators.openChildren(), where + " left Arrow allocators open");
    assertEquals(0, ArrowAllocators.allocatedBytes(), where + " left Arrow memory allocated");
    assertEquals(0, ResidentDataCache.global().size(), where + " left partitions resident");
  }
}
