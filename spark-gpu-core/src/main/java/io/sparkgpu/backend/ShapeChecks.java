package io.sparkgpu.backend;

/**
 * The argument checks every {@link ComputeBackend} makes, written once so that all backends refuse the same calls
 * with the same messages (expected and actual shapes). Pure; each throws IllegalArgumentException.
 */
public final class ShapeChecks {
  private ShapeChecks() {}

  public static void sameShape(DenseMatrix a, DenseMatrix b, String what) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
      throw new IllegalArgumentException(what + ": shapes differ, " + a.rows() + " x " + a.cols() + " vs "
          + b.rows() + " x " + b.cols());
    }
  }

  /** A wrong width would read or write past the vector, into whatever the view's parent holds next. */
  public static void rowVector(DenseMatrix v, int cols, String what) {
    if (v.rows() != 1 || v.cols() != cols) {
      throw new IllegalArgumentException(what + ": expected a 1 x " + cols + " row vector, got " + v.rows() + " x "
          + v.cols());
    }
  }

  /** Checks C = op(A)·op(B) and returns {m, n, k}. */
  public static int[] gemm(boolean transA, boolean transB, DenseMatrix a, DenseMatrix b, DenseMatrix c) {
    int m = transA ? a.cols() : a.rows();
    int k = transA ? a.rows() : a.cols();
    int kb = transB ? b.cols() : b.rows();
    int n = transB ? b.rows() : b.cols();
    if (k != kb || c.rows() != m || c.cols() != n) {
      throw new IllegalArgumentException("gemm: op(A) is " + m + " x " + k + ", op(B) is " + kb + " x " + n
          + ", C is " + c.rows() + " x " + c.cols());
    }
    return new int[] {m, n, k};
  }

  /** Checks C = op(A)·B for a sparse A. */
  public static void csrGemm(boolean transA, CsrMatrix a, DenseMatrix b, DenseMatrix c) {
    int m = transA ? a.cols() : a.rows();
    int k = transA ? a.rows() : a.cols();
    if (b.rows() != k || c.rows() != m || c.cols() != b.cols()) {
      throw new IllegalArgumentException("csrGemm: op(A) is " + m + " x " + k + ", B is " + b.rows() + " x "
          + b.cols() + ", C is " + c.rows() + " x " + c.cols());
    }
  }

  /** Outputs, gradient, labels and weights of a fused loss agree in rows (and outputs with gradient in shape). */
  public static void loss(DenseMatrix z, DenseMatrix labels, DenseMatrix weights, DenseMatrix grad) {
    sameShape(z, grad, "lossAndGradient");
    if (labels.rows() != z.rows() || weights.rows() != z.rows()) {
      throw new IllegalArgumentException("lossAndGradient: " + z.rows() + " rows of outputs but " + labels.rows()
          + " labels and " + weights.rows() + " weights");
    }
  }

  /** Gradient, l2 and l1 have one value per parameter and the state {@code slots} per parameter; returns n. */
  public static int optimizer(DenseMatrix params, DenseMatrix grad, DenseMatrix state, DenseMatrix l2, DenseMatrix l1,
      int slots) {
    int n = params.cols() * params.rows();
    if (grad.size() != n || l2.size() != n || l1.size() != n || state.size() != (long) n * slots) {
      throw new IllegalArgumentException("optimizerStep: " + n + " parameters but gradient " + grad.size()
          + ", state " + state.size() + ", l2 " + l2.size() + ", l1 " + l1.size());
    }
    return n;
  }
}
