package io.sparkgpu.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The process-wide Arrow root allocator of spark-gpu, from which every task takes a named child with a limit.
 * The root lives as long as the JVM; children are closed by whoever opened them, which fails loudly on a leak.
 */
public final class ArrowAllocators {
  private static final RootAllocator ROOT = new RootAllocator(Long.MAX_VALUE);

  private ArrowAllocators() {}

  /** A child of the root named {@code name} that may hold at most {@code limitBytes}. The caller closes it. */
  public static BufferAllocator child(String name, long limitBytes) {
    return ROOT.newChildAllocator(name, 0, limitBytes);
  }

  /** Bytes currently held by all of spark-gpu's Arrow allocators in this JVM. */
  public static long allocatedBytes() {
    return ROOT.getAllocatedMemory();
  }
}
