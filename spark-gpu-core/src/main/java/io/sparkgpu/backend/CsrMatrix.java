package io.sparkgpu.backend;

/**
 * A sparse float32 matrix in compressed sparse row form (zero-based, sorted or unsorted column indices), in the
 * memory of the {@link ComputeBackend} that made it. Ownership follows {@link DenseMatrix}: uploads own their
 * memory and are closed by the caller; row-range views own nothing.
 */
public interface CsrMatrix extends AutoCloseable {
  int rows();

  int cols();

  long nonZeros();

  /** Rows {@code [start, start + count)} of this matrix, sharing its memory. */
  CsrMatrix rowRange(int start, int count);

  @Override
  void close();
}
