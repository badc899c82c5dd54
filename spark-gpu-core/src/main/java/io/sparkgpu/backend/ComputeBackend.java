package io.sparkgpu.backend;

/**
 * The primitives that the training engine needs, with identical semantics on every backend (CPU, CUDA).
 *
 * <p>Matrices are float32 and row-major. All operations are asynchronous with respect to the host where the
 * backend allows it, except {@code download} and the methods that return a value, which wait for the result.
 * A backend owns its native context (streams, library handles); whoever creates it closes it, after closing
 * every matrix it made.
 */
public interface ComputeBackend extends AutoCloseable {

  /** A short name for logs and errors: {@code cpu}, {@code cuda:0}. */
  String name();

  /** A new zero-filled matrix. */
  DenseMatrix allocate(int rows, int cols);

  /** A new matrix holding a copy of {@code data[offset, offset + rows*cols)}. */
  DenseMatrix upload(float[] data, int offset, int rows, int cols);

  /** A new CSR matrix holding copies of the three arrays ({@code rowPtr} has {@code rows + 1} entries). */
  CsrMatrix uploadCsr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values);

  /**
   * Like {@link #upload} of the whole array, but the backend may keep {@code data} itself: the caller hands it
   * over and must not touch it again. Saves a copy on the CPU backend.
   */
  default DenseMatrix uploadOwned(float[] data, int rows, int cols) {
    return upload(data, 0, rows, cols);
  }

  /** Like {@link #uploadCsr}, handing the arrays over (see {@link #uploadOwned}). */
  default CsrMatrix uploadCsrOwned(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    return uploadCsr(rows, cols, rowPtr, colIndices, values);
  }

  /** Overwrites {@code dst} with {@code src[offset, offset + dst.size())}. */
  void write(float[] src, int offset, DenseMatrix dst);

  /** Copies {@code src} into {@code dst[offset, offset + src.size())}. */
  void read(DenseMatrix src, float[] dst, int offset);

  /** dst := src (same shape). */
  void copy(DenseMatrix src, DenseMatrix dst);

  /** dst := value everywhere. */
  void fill(DenseMatrix dst, float value);

  /** C := alpha·op(A)·op(B) + beta·C, where op(X) is X or its transpose. */
  void gemm(boolean transA, boolean transB, float alpha, DenseMatrix a, DenseMatrix b, float beta, DenseMatrix c);

  /** C := alpha·op(A)·B + beta·C for a sparse A. */
  void csrGemm(boolean transA, float alpha, CsrMatrix a, DenseMatrix b, float beta, DenseMatrix c);

  /** z[i, :] += bias for every row i ({@code bias} is 1 x cols). */
  void addRowVector(DenseMatrix z, DenseMatrix bias);

  /** out := alpha·(column sums of x) + beta·out ({@code out} is 1 x cols). */
  void columnSums(float alpha, DenseMatrix x, float beta, DenseMatrix out);

  /** z := f(z), element-wise. */
  void activate(Activation f, DenseMatrix z);

  /** grad := grad ⊙ f'(z), where {@code out} = f(z) as computed by {@link #activate}. */
  void activationBackward(Activation f, DenseMatrix out, DenseMatrix grad);

  /**
   * Fused output layer and loss over the rows of {@code z} (rows x k). {@code labels} and {@code weights} are
   * rows x 1. Writes grad := gradScale·w·∂l/∂z and returns Σ w·l in double precision.
   */
  double lossAndGradient(Loss loss, DenseMatrix z, DenseMatrix labels, DenseMatrix weights, float gradScale,
      DenseMatrix grad);

  /** z := the output layer's prediction (identity, sigmoid or row-wise softmax), in place. */
  void outputTransform(Loss loss, DenseMatrix z);

  /**
   * One optimizer update of {@code params} (1 x n) with gradient {@code grad}, followed by the L1 proximal step.
   * Element i uses gradient g + l2[i]·w and shrinks |w| by lr·l1[i] / (1 - momentum) for SGD (the threshold carries
   * momentum's gain like the gradient step, so the fixed point is the L1 optimum) and by lr·l1[i] / (√v̂ + ε) for
   * Adam.
   * {@code state} has {@link OptimizerKind#stateSlots()} rows of n values.
   */
  void optimizerStep(OptimizerStep step, DenseMatrix params, DenseMatrix grad, DenseMatrix state, DenseMatrix l2,
      DenseMatrix l1);

  /** Σ x², in double precision. */
  double sumOfSquares(DenseMatrix x);

  @Override
  void close();
}
