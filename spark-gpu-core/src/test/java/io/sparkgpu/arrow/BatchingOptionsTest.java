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
