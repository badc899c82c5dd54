package io.sparkgpu.arrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrowBatchWriter} under {@link InvalidRows#SKIP}: each kind of invalid row is dropped and counted by reason,
 * and leaves no trace (the batches and statistics equal those of a writer given only the valid rows); structural
 * problems stay errors. Under ERROR the message names the handleInvalid setting.
 */
class InvalidRowsTest extends ArrowAllocatorFixture {
  private static final BatchingOptions SKIP = new BatchingOptions("f", "y", "w", LabelKind.CLASS_INDEX, 4096)
      .withInvalidRows(InvalidRows.SKIP).withNumClasses(3, "the last entry of layers");

  @Test
  void invalidRowsAreDroppedCountedAndLeaveNoTrace() {
    ArrowBatchWriter mixed = new ArrowBatchWriter(allocator, SKIP, 0);
    ArrowBatchWriter clean = new ArrowBatchWriter(allocator, SKIP, 0);
    mixed.appendDense(new double[] {1, 2}, 0, 1);
    clean.appendDense(new double[] {1, 2}, 0, 1);
    assertFalse(mixed.appendDense(new double[] {Double.NaN, 2}, 1, 1));
    assertFalse(mixed.appendSparse(2, new int[] {1}, new double[] {Double.POSITIVE_INFINITY}, 1, 1, 1));
    assertFalse(mixed.appendDense(new double[] {1, 2}, Double.NaN, 1));
    assertFalse(mixed.appendDense(new double[] {1, 2}, 0.5, 1));
    assertFalse(mixed.appendDense(new double[] {1, 2}, 3, 1), "label 3 with 3 classes");
    assertFalse(mixed.appendDense(new double[] {1, 2}, -1, 1));
    assertFalse(mixed.appendDense(new double[] {1, 2}, 1, -0.5));
    assertFalse(mixed.appendDense(new double[] {1, 2}, 1, Double.NEGATIVE_INFINITY));
    mixed.rejectRow(InvalidRows.Reason.NULL_LABEL, "label is null");
    assertTrue(mixed.appendSparse(2, new int[] {0}, new double[] {4}, 1, 2, 3));
    assertTrue(clean.appendSparse(2, new int[] {0}, new double[] {4}, 1, 2, 3));

    PartitionStatistics s = mixed.statistics();
    assertEquals(9, s.skippedRows());
    assertEquals(Map.of(InvalidRows.Reason.NON_FINITE_FEATURE, 2L, InvalidRows.Reason.NON_FINITE_LABEL, 1L,
        InvalidRows.Reason.BAD_CLASS_LABEL, 3L, InvalidRows.Reason.BAD_WEIGHT, 2L, InvalidRows.Reason.NULL_LABEL, 1L),
        s.skippedByReason());
    PartitionStatistics c = clean.statistics();
    assertEquals(c.rows(), s.rows());
    assertEquals(c.weightSum(), s.weightSum());
    assertArrayEquals(c.featureMeans(), s.featureMeans());
    assertArrayEquals(c.featureStds(), s.featureStds());
    assertEquals(c.classWeights(), s.classWeights());
    HostBatch a = ArrowBatchCodec.decode(mixed.flush(), allocator);
    HostBatch b = ArrowBatchCodec.decode(clean.flush(), allocator);
    assertArrayEquals(b.dense, a.dense);
    assertArrayEquals(b.labels, a.labels);
    assertArrayEquals(b.weights, a.weights);
    PartitionStatistics merged = new PartitionStatistics(-1).merge(s).merge(new PartitionStatistics(1));
    assertEquals(9, merged.skippedRows(), "merging keeps the counts, also through a partition without rows");
  }

  @Test
  void structuralProblemsStayErrorsWhenSkipping() {
    ArrowBatchWriter w = new ArrowBatchWriter(allocator, SKIP, 4);
    w.appendDense(new double[] {1, 2}, 0, 1);
    IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
        () -> w.appendDense(new double[] {1, 2, 3}, 0, 1));
    assertTrue(wide.getMessage().contains("3 features but earlier rows have 2"), wide.getMessage());
    assertThrows(IllegalArgumentException.class, () -> w.appendSparse(2, new int[] {5}, new double[] {1}, 1, 0, 1));
    assertEquals(0, w.statistics().skippedRows());
  }

  @Test
  void errorsNameTheRowTheValueAndBothSettings() {
    BatchingOptions error = SKIP.withInvalidRows(InvalidRows.ERROR);
    ArrowBatchWriter w = new ArrowBatchWriter(allocator, error, 2);
    w.atRow(41);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> w.appendDense(new double[] {1, 2}, 7, 1));
    assertTrue(e.getMessage().startsWith("Column 'y': row 41 of partition 2 has label 7.0"), e.getMessage());
    assertTrue(e.getMessage().contains("the model has 3 classes") && e.getMessage().contains("from 0 to 2")
        && e.getMessage().contains("set the last entry of layers to at least 8") && e.getMessage().contains("handleInvalid"),
        e.getMessage());
  }

  @Test
  void rowsTooWideForADenseBufferAreBatchedSparse() {
    assertTrue(BatchingOptions.denseRowFits(1_000_000));
    assertTrue(BatchingOptions.denseRowFits((BatchingOptions.MAX_BATCH_BYTES_LIMIT - 16) / 4));
    assertFalse(BatchingOptions.denseRowFits((BatchingOptions.MAX_BATCH_BYTES_LIMIT - 16) / 4 + 1));
    assertFalse(BatchingOptions.denseRowFits(Integer.MAX_VALUE));
  }
}
