package io.sparkgpu.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * One device allocation of {@code bytes} bytes (none for 0 bytes), made by a {@link CudaBackend}. Owned by the matrix
 * that allocated it; {@link #close} hands it back to the backend once, and later closes do nothing.
 */
final class DeviceBuffer implements AutoCloseable {
  /** Frees a buffer: the backend that allocated it. */
  interface Release {
    void release(DeviceBuffer buffer);
  }

  private final CUdeviceptr base;
  private final long bytes;
  private final Release release;
  private volatile boolean closed;

  DeviceBuffer(CUdeviceptr base, long bytes, Release release) {
    this.base = base;
    this.bytes = bytes;
    this.release = release;
  }

  long bytes() {
    return bytes;
  }

  Release release() {
    return release;
  }

  /** The allocation's start, for the allocator only. */
  CUdeviceptr base() {
    return base;
  }

  /**
   * A new pointer {@code byteOffset} bytes into the buffer. A fresh object each time: JCuda may write a kernel
   * argument's pointer value back into the object it was given, and the base must stay untouched.
   */
  CUdeviceptr at(long byteOffset) {
    if (closed) {
      throw new IllegalStateException("Device memory used after it was freed (a matrix or view used after close)");
    }
    if (byteOffset < 0 || byteOffset > bytes) {
      throw new IllegalArgumentException("Byte offset " + byteOffset + " outside a buffer of " + bytes + " bytes");
    }
    return base.withByteOffset(byteOffset);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      release.release(this);
    }
  }
}
