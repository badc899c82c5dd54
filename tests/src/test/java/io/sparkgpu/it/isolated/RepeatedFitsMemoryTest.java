package io.sparkgpu.it.isolated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.ArrowAllocators;
import io.sparkgpu.it.SparkActivity;
import io.sparkgpu.it.SyntheticData;
import io.sparkgpu.ml.classification.LogisticRegression;
import io.sparkgpu.ml.classification.MultilayerPerceptronClassifier;
import io.sparkgpu.ml.regression.LinearRegression;
import io.sparkgpu.train.ResidentDataCache;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fifty consecutive small fits (logistic regression, linear regression and a perceptron in turn) in one
 * SparkSession leave nothing behind: after every fit no Arrow memory or allocator is held, no partition is resident
 * and no cached RDD is left; and the heap after a full GC, Spark's storage memory and the JVM's direct buffers at
 * fit 50 are within stated bounds of fit 10 (measured and logged). Spark's own job history is bounded in this
 * session (20 jobs) so that it does not count as growth.
 */
class RepeatedFitsMemoryTest {
  private static final Logger LOG = LoggerFactory.getLogger(RepeatedFitsMemoryTest.class);
  private static final int FITS = 50;
  /**
   * Allowed heap growth from fit 10 to fit 50, after GC: 200 KiB per fit. Measured here: 0.4 to 0.7 MiB in all
   * (Spark's bounded bookkeeping), while one leaked copy of a fit's data would be about 1 MiB per fit.
   */
  private static final long HEAP_BOUND_BYTES = 8L << 20;
  /**
   * Allowed growth of Spark's storage memory (cached blocks and broadcasts) and of the JVM's direct buffers from fit
   * 10 to fit 50. Measured here: within ±100 KiB (Spark cleans task broadcasts after GC, asynchronously).
   */
  private static final long STORAGE_BOUND_BYTES = 2L << 20;

  private static long heapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) { // a few collections: finalizers and reference queues settle
      System.gc();
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static long storageUsed(SparkContext sc) {
    long used = 0;
    scala.collection.Iterator<scala.Tuple2<Object, Object>> it = sc.getExecutorMemoryStatus().valuesIterator();
    while (it.hasNext()) {
      scala.Tuple2<Object, Object> maxAndFree = it.next();
      used += (Long) maxAndFree._1() - (Long) maxAndFree._2();
    }
    return used;
  }

  private static long directBuffers() {
    long used = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      used += pool.getMemoryUsed();
    }
    return used;
  }

  @Test
  void fiftyFitsLeaveOffHeapAndHeapMemoryFlat() {
    SparkSession spark = RetryingSpark.get();
    SparkContext sc = spark.sparkContext();
    Dataset<Row> classes = SyntheticData.classes(spark, 9L, 2_000, 10, 3, 1.0, 2).cache();
    Dataset<Row> regression = SyntheticData.regression(spark, 9L, 2_000, 10, 1.0, 0.5, 2).cache();
    classes.count();
    regression.count();
    int cachedRdds = sc.getPersistentRDDs().size();
    long[] heap = new long[FITS + 1];
    long[] storage = new long[FITS + 1];
    long[] direct = new long[FITS + 1];
    for (int fit = 1; fit <= FITS; fit++) {
      switch (fit % 3) {
        case 0:
          new LogisticRegression().setMaxIter(2).setNumWorkers(2).fit(classes);
          break;
        case 1:
          new LinearRegression().setMaxIter(2).setNumWorkers(2).fit(regression);
          break;
        default:
          new MultilayerPerceptronClassifier().setLayers(new int[] {10, 8, 3}).setMaxIter(2).setNumWorkers(2)
              .fit(classes);
          break;
      }
      SparkActivity.awaitIdle(sc);
      assertEquals(0, ArrowAllocators.allocatedBytes(), "Arrow bytes after fit " + fit);
      assertEquals(List.of(), ArrowAllocators.openChildren(), "Arrow allocators after fit " + fit);
      assertEquals(0, ResidentDataCache.global().size(), "resident partitions after fit " + fit);
      assertEquals(0, ResidentDataCache.global().residentBytes(), "resident bytes after fit " + fit);
      assertEquals(cachedRdds, sc.getPersistentRDDs().size(), "cached RDDs after fit " + fit);
      if (fit % 10 == 0) {
        heap[fit] = heapAfterGc();
        storage[fit] = storageUsed(sc);
        direct[fit] = directBuffers();
        LOG.info("After fit {}/{}: heap after GC {} MiB, Spark storage memory {} KiB, direct buffers {} KiB, Arrow "
            + "{} bytes, resident partitions {}", fit, FITS, String.format("%.1f", heap[fit] / 1048576.0),
            storage[fit] >> 10, direct[fit] >> 10, ArrowAllocators.allocatedBytes(),
            ResidentDataCache.global().size());
      }
    }
    long heapGrowth = heap[FITS] - heap[10];
    LOG.info("Fits 10 to {}: heap after GC grew by {} MiB (bound {} MiB), storage memory by {} KiB, direct "
        + "buffers by {} KiB (bound {} KiB each)", FITS, String.format("%.2f", heapGrowth / 1048576.0),
        HEAP_BOUND_BYTES >> 20, (storage[FITS] - storage[10]) >> 10, (direct[FITS] - direct[10]) >> 10,
        STORAGE_BOUND_BYTES >> 10);
    assertTrue(heapGrowth < HEAP_BOUND_BYTES, "heap after GC grew by " + heapGrowth + " bytes from fit 10 to fit "
        + FITS);
    assertTrue(storage[FITS] - storage[10] < STORAGE_BOUND_BYTES, "storage memory grew by "
        + (storage[FITS] - storage[10]) + " bytes");
    assertTrue(direct[FITS] - direct[10] < STORAGE_BOUND_BYTES, "direct buffers grew by "
        + (direct[FITS] - direct[10]) + " bytes");
    classes.unpersist(true);
    regression.unpersist(true);
  }
}
