package io.sparkgpu.backend.cuda;

/**
 * Grid sizes for the backend's kernels. Every kernel loops with a grid stride, so the grid size affects speed only:
 * enough blocks to fill any current GPU, capped so that tiny launches stay tiny. Pure.
 */
final class LaunchShape {
  /** Threads per block for every kernel; the reduction kernels' shared arrays assume exactly this (SG_REDUCE_BLOCK). */
  static final int BLOCK = 256;
  /** The most blocks of an element-wise launch: 4096 x 256 threads cover the largest GPUs several times. */
  static final int MAX_BLOCKS = 4096;
  /** The most blocks of a reduction, and so the size of the partial-sum buffer. */
  static final int MAX_REDUCE_BLOCKS = 1024;

  private LaunchShape() {}

  /** Blocks for {@code work} independent items; 0 when there is no work (the caller then launches nothing). */
  static int blocks(long work) {
    if (work <= 0) {
      return 0;
    }
    return (int) Math.min((work + BLOCK - 1) / BLOCK, MAX_BLOCKS);
  }

  /** Blocks for a reduction over {@code work} items: at least 1 (the partial sums must be written), at most 1024. */
  static int reduceBlocks(long work) {
    if (work <= 0) {
      return 1;
    }
    return (int) Math.min((work + BLOCK - 1) / BLOCK, MAX_REDUCE_BLOCKS);
  }
}
