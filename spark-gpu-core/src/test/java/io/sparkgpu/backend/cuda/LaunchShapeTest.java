package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LaunchShapeTest {

  @Test
  void elementwiseGrids() {
    assertEquals(0, LaunchShape.blocks(0), "no work launches nothing");
    assertEquals(1, LaunchShape.blocks(1));
    assertEquals(1, LaunchShape.blocks(256));
    assertEquals(2, LaunchShape.blocks(257));
    assertEquals(LaunchShape.MAX_BLOCKS, LaunchShape.blocks(Integer.MAX_VALUE - 8L), "grid-stride beyond the cap");
  }

  @Test
  void reductionGridsFitThePartialSumBuffer() {
    assertEquals(1, LaunchShape.reduceBlocks(0));
    assertEquals(1, LaunchShape.reduceBlocks(41));
    assertEquals(40, LaunchShape.reduceBlocks(10_007));
    assertEquals(LaunchShape.MAX_REDUCE_BLOCKS, LaunchShape.reduceBlocks(1L << 30));
  }
}
