package io.sparkgpu.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of every test that touches Arrow: a fresh {@link RootAllocator} per test, closed after it, so every
 * test is a leak check (no memory outstanding, and Arrow's own close fails on a leak).
 */
public abstract class ArrowAllocatorFixture {
  protected BufferAllocator allocator;

  @BeforeEach
  void openAllocator() {
    allocator = new RootAllocator(1L << 30);
  }

  @AfterEach
  void closeAllocator() {
    try {
      assertEquals(0, allocator.getAllocatedMemory(), "Arrow memory still allocated after the test");
    } finally {
      allocator.close();
    }
  }
}
