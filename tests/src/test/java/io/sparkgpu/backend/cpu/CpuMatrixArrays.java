package io.sparkgpu.backend.cpu;

import io.sparkgpu.backend.DenseMatrix;

/**
 * Benchmark access to the heap array behind a CPU backend's dense matrix, so that a streaming bound can read the very
 * bytes a trainer reads. Test code only; owns nothing.
 */
public final class CpuMatrixArrays {
  private CpuMatrixArrays() {}

  /** The matrix's backing array (shared, not copied); it holds {@code rows x cols} floats from {@link #offset}. */
  public static float[] array(DenseMatrix m) {
    return cpu(m).data;
  }

  /** Where the matrix's first element sits in {@link #array}. */
  public static int offset(DenseMatrix m) {
    return cpu(m).offset;
  }

  private static CpuDenseMatrix cpu(DenseMatrix m) {
    if (!(m instanceof CpuDenseMatrix)) {
      throw new IllegalArgumentException("Expected a CPU backend matrix, got " + m.getClass().getName());
    }
    return (CpuDenseMatrix) m;
  }
}
