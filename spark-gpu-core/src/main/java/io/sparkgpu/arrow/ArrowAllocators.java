package io.sparkgpu.arrow;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The process-wide Arrow root allocator of spark-gpu, from which every task takes a named child with a limit.
 * The root lives as long as the JVM; children are closed by whoever opened them, which fails loudly on a leak.
 * {@link #allocatedBytes} and {@link #openChildren} let tests prove that nothing is left behind.
 */
public final class ArrowAllocators {
  private static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

  /** Slack over one batch's bytes for Arrow's own buffers (validity bitmaps, offsets, padding) while decoding. */
  static final long DECODE_SLACK_BYTES = 16L << 20;

  private ArrowAllocators() {}

  /** A child of the root named {@code name} that may hold at most {@code limitBytes}. The caller closes it. */
  public static BufferAllocator child(String name, long limitBytes) {
    if (limitBytes <= 0 || limitBytes == Long.MAX_VALUE) {
      throw new IllegalArgumentException("Arrow allocator '" + name + "' needs a finite positive limit but got "
          + limitBytes);
    }
    return ROOT.newChildAllocator(name, 0, limitBytes);
  }

  /**
   * Limit of the allocator that encodes one partition: a batch is at most {@code maxBatchBytes} of features, labels
   * and weights, built once as vectors and once more as IPC bytes, with room for Arrow's padding.
   */
  public static long encodingLimit(long maxBatchBytes) {
    return 4 * maxBatchBytes + (64L << 20);
  }

  /**
   * Limit of the allocator that decodes a partition's batches one at a time: one batch's vectors (at most
   * {@code maxBatchBytes} of values) plus offsets, validity and padding.
   */
  public static long decodingLimit(long maxBatchBytes) {
    return 2 * maxBatchBytes + DECODE_SLACK_BYTES;
  }

  /** Bytes currently held by all of spark-gpu's Arrow allocators in this JVM. */
  public static long allocatedBytes() {
    return ROOT.getAllocatedMemory();
  }

  /** Names of the child allocators not yet closed (empty when every task and fit has released its memory). */
  public static List<String> openChildren() {
    List<String> names = new ArrayList<>();
    for (BufferAllocator c : ROOT.getChildAllocators()) {
      names.add(c.getName());
    }
    return names;
  }
}
