package io.sparkgpu.backend;

/**
 * A dense float32 matrix in row-major order, living in the memory of the {@link ComputeBackend} that made it.
 *
 * <p>A matrix returned by {@code allocate} or {@code upload} owns its memory and its caller closes it. A
 * {@link #view view} shares the memory of its parent, owns nothing, and must not outlive the parent; closing a
 * view does nothing.
 */
public interface DenseMatrix extends AutoCloseable {
  int rows();

  int cols();

  default long size() {
    return (long) rows() * cols();
  }

  /** A {@code rows x cols} matrix over the elements {@code [offset, offset + rows*cols)} of this one. */
  DenseMatrix view(long offset, int rows, int cols);

  /** Rows {@code [start, start + count)} of this matrix, sharing its memory. */
  default DenseMatrix rowRange(int start, int count) {
    return view((long) start * cols(), count, cols());
  }

  @Override
  void close();
}
