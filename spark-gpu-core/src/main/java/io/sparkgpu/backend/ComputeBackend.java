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

  /**
   * Loss and gradient of a model with no hidden layer and one output (linear or binary logistic regression) over
   * one mini-batch: {@code params} is 1 x (d + 1), the weights w then the bias b; row i has output
   * z_i = (x_i - m)·w + b, where m is {@code shift} (1 x d, or null for m = 0), and loss l(z_i, y_i) as
   * {@link #lossAndGradient} defines it. Writes grads := gradScale·Σ_i weight_i·∂l/∂(w, b), with the bias entry
   * 0 when {@code fitBias} is false (the bias stays where it is), and returns Σ_i weight_i·l in double precision.
   * Exactly one of {@code dense} (rows x d) and {@code sparse} is non-null; {@code labels} and {@code weights} are
   * rows x 1; {@code work} is scratch of at least 2·rows + 1 elements, left undefined.
   *
   * <p>The same arithmetic as the network pass of such a model, composed here from the primitives above; a backend
   * may override it with one pass over the rows (forward, loss and gradient while the row is in cache).
   */
  default double linearLossAndGradient(Loss loss, DenseMatrix dense, CsrMatrix sparse, DenseMatrix labels,
      DenseMatrix weights, DenseMatrix shift, boolean fitBias, float gradScale, DenseMatrix params,
      DenseMatrix grads, DenseMatrix work) {
    if (loss != Loss.LOGISTIC && loss != Loss.SQUARED_ERROR) {
      throw new IllegalArgumentException("linearLossAndGradient: " + loss + " has more than one output; expected "
          + Loss.LOGISTIC + " or " + Loss.SQUARED_ERROR);
    }
    int rows = labels.rows();
    int d = params.cols() - 1;
    if ((dense == null) == (sparse == null)) {
      throw new IllegalArgumentException("linearLossAndGradient: expected exactly one of dense and sparse features");
    }
    if (params.rows() != 1 || d < 0 || grads.size() != d + 1L || work.size() < 2L * rows + 1) {
      throw new IllegalArgumentException("linearLossAndGradient: params " + params.rows() + " x " + params.cols()
          + ", grads " + grads.rows() + " x " + grads.cols() + ", work of " + work.size() + " elements for "
          + rows + " rows; expected 1 x (d + 1) twice and at least " + (2L * rows + 1));
    }
    DenseMatrix w = params.view(0, d, 1);
    DenseMatrix b = params.view(d, 1, 1);
    DenseMatrix z = work.view(0, rows, 1);
    DenseMatrix dz = work.view(rows, rows, 1);
    if (sparse != null) {
      csrGemm(false, 1f, sparse, w, 0f, z);
    } else {
      gemm(false, false, 1f, dense, w, 0f, z);
    }
    if (shift != null) {
      // (x - m)·w + b = x·w + (b - m·w).
      DenseMatrix centred = work.view(2L * rows, 1, 1);
      copy(b, centred);
      gemm(false, false, -1f, shift, w, 1f, centred);
      b = centred;
    }
    addRowVector(z, b);
    double total = lossAndGradient(loss, z, labels, weights, gradScale, dz);
    DenseMatrix dw = grads.view(0, d, 1);
    DenseMatrix db = grads.view(d, 1, 1);
    if (sparse != null) {
      csrGemm(true, 1f, sparse, dz, 0f, dw);
    } else {
      gemm(true, false, 1f, dense, dz, 0f, dw);
    }
    columnSums(1f, dz, 0f, db);
    if (shift != null) {
      gemm(true, false, -1f, shift, db, 1f, dw); // the centring term -m·w depends on w whether or not b is trained
    }
    if (!fitBias) {
      fill(db, 0f);
    }
    return total;
  }

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
