package io.sparkgpu.backend.cuda;

/**
 * An allocation that the device's memory pool (or the device itself) cannot satisfy. Callers may catch it to retry
 * with less (smaller mini-batches, data streamed from the host); the message carries the numbers.
 */
public final class GpuMemoryExhaustedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long requestedBytes;

  public GpuMemoryExhaustedException(String message, long requestedBytes) {
    super(message);
    this.requestedBytes = requestedBytes;
  }

  public long requestedBytes() {
    return requestedBytes;
  }
}
