package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link BatchingOptions#denseRowsPerBatch} as a pure function. A dense row of d features costs 4·d bytes of float32
 * features plus 16 bytes of float64 label and weight; a batch also holds at most 2^31 - 9 feature elements.
 */
class BatchingOptionsTest {

  @Test
  void rowsAreBoundedByBytes() {
    // 1024 / (4·1 + 16) = 51.2
    assertEquals(51, BatchingOptions.denseRowsPerBatch(1024, 1));
    // 64 MiB / (4·100 + 16) = 67108864 / 416 = 161319.38...
    assertEquals(161_319, BatchingOptions.denseRowsPerBatch(64L << 20, 100));
    // 1024 / (4·4 + 16) = 32 exactly
    assertEquals(32, BatchingOptions.denseRowsPerBatch(1024, 4));
    // 1 GiB / (4·784 + 16) = 1073741824 / 3152 = 340654.1...
    assertEquals(340_654, BatchingOptions.denseRowsPerBatch(1L << 30, 784));
  }

  @Test
  void aRowWiderThanTheBudgetStillGetsOneRowPerBatch() {
    // 4·1000 + 16 = 4016 bytes > 1024
    assertEquals(1, BatchingOptions.denseRowsPerBatch(1024, 1000));
    assertEquals(1, BatchingOptions.denseRowsPerBatch(1024, Integer.MAX_VALUE));
  }

  @Test
  void rowsAreBoundedByArrowsInt32ElementLimit() {
    // bytes allow 10^13 / 4016 = 2490039840 rows, elements only (2^31 - 9) / 1000 = 2147483639 / 1000 = 2147483
    assertEquals(2_147_483, BatchingOptions.denseRowsPerBatch(10_000_000_000_000L, 1000));
    // (2^31 - 9) / 3 = 715827879.67
    assertEquals(715_827_879, BatchingOptions.denseRowsPerBatch(Long.MAX_VALUE / 2, 3));
    // one feature: 2^31 - 9 rows, and never more than fits an int
    assertEquals(2_147_483_639, BatchingOptions.denseRowsPerBatch(Long.MAX_VALUE / 2, 1));
    for (int d : new int[] {1, 2, 7, 123, 784, 100_000}) {
      long rows = BatchingOptions.denseRowsPerBatch(Long.MAX_VALUE / 2, d);
      assertTrue(rows * d <= Integer.MAX_VALUE, d + " features: " + rows + " rows exceed 2^31 elements");
    }
  }

  @Test
  void aPartitionsDenseBatchesStartAt4MiBAndDoubleUpToTheBudget() {
    // 100 features, 416 bytes a row: 4, 8, 16, 32 MiB, then 64 MiB for every later batch
    long mib = 1L << 20;
    int[] expected = {(int) (4 * mib / 416), (int) (8 * mib / 416), (int) (16 * mib / 416), (int) (32 * mib / 416),
        161_319, 161_319, 161_319};
    assertEquals(10_082, expected[0]); // 4194304 / 416 = 10082.46
    assertEquals(80_659, expected[3]); // 33554432 / 416 = 80659.69
    for (int b = 0; b < expected.length; b++) {
      assertEquals(expected[b], BatchingOptions.denseRowsOfBatch(64 * mib, 100, b), "batch " + b);
    }
    assertEquals(161_319, BatchingOptions.denseRowsOfBatch(64 * mib, 100, Integer.MAX_VALUE), "no overflow");
    // 6 MiB: 4 MiB first, then 6 MiB
    assertEquals((int) (4 * mib / 416), BatchingOptions.denseRowsOfBatch(6 * mib, 100, 0));
    assertEquals((int) (6 * mib / 416), BatchingOptions.denseRowsOfBatch(6 * mib, 100, 1));
    // at most 4 MiB: every batch at the budget, as before
    for (int b = 0; b < 3; b++) {
      assertEquals(32, BatchingOptions.denseRowsOfBatch(1024, 4, b));
      assertEquals(BatchingOptions.denseRowsPerBatch(4 * mib, 100), BatchingOptions.denseRowsOfBatch(4 * mib, 100, b));
    }
  }

  @Test
  void maxBatchBytesMustBeBetween1KiBAnd1GiB() {
    assertThrows(IllegalArgumentException.class, () -> options(1023));
    assertThrows(IllegalArgumentException.class, () -> options((1L << 30) + 1));
    assertEquals(1024, options(1024).maxBatchBytes());
    assertEquals(1L << 30, options(1L << 30).maxBatchBytes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options(0));
    assertTrue(e.getMessage().contains("maxBatchBytes") && e.getMessage().contains("was 0"), e.getMessage());
  }

  private static BatchingOptions options(long maxBatchBytes) {
    return new BatchingOptions("features", "label", "weight", LabelKind.REAL, maxBatchBytes);
  }
}
