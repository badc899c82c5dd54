package io.sparkgpu.backend.cpu;

import dev.ludovic.netlib.blas.BLAS;
import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.OptimizerStep;
import io.sparkgpu.backend.ShapeChecks;
import java.util.Arrays;

/**
 * The reference backend: Java arrays, GEMM through Spark's BLAS ({@code dev.ludovic.netlib}, which picks a native
 * or vectorised implementation) except one-column products, which {@link Gemv} does faster, everything else in
 * plain loops. Stateless apart from the BLAS handle, so one
 * instance may serve many threads; closing it does nothing.
 */
public final class CpuBackend implements ComputeBackend {
  private final BLAS blas = BLAS.getInstance();
  private final Gemv gemv = Gemv.get();
  private final LinearKernel linear;

  public CpuBackend() {
    this(LinearKernel.get());
  }

  /** With a given fused linear-model kernel (tests run both implementations). */
  CpuBackend(LinearKernel linear) {
    this.linear = linear;
  }

  @Override
  public String name() {
    return "cpu";
  }

  private static CpuDenseMatrix d(DenseMatrix m) {
    if (!(m instanceof CpuDenseMatrix)) {
      throw new IllegalArgumentException("Matrix " + m + " does not belong to the CPU backend");
    }
    return (CpuDenseMatrix) m;
  }

  private static CpuCsrMatrix s(CsrMatrix m) {
    if (!(m instanceof CpuCsrMatrix)) {
      throw new IllegalArgumentException("Matrix " + m + " does not belong to the CPU backend");
    }
    return (CpuCsrMatrix) m;
  }



  private static int checkedSize(int rows, int cols) {
    long n = (long) rows * cols;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("A " + rows + " x " + cols + " matrix exceeds the CPU backend's limit of "
          + (Integer.MAX_VALUE - 8) + " elements; lower maxBatchBytes");
    }
    return (int) n;
  }

  @Override
  public DenseMatrix allocate(int rows, int cols) {
    return new CpuDenseMatrix(new float[checkedSize(rows, cols)], 0, rows, cols);
  }

  @Override
  public DenseMatrix upload(float[] data, int offset, int rows, int cols) {
    int n = checkedSize(rows, cols);
    return new CpuDenseMatrix(Arrays.copyOfRange(data, offset, offset + n), 0, rows, cols);
  }

  @Override
  public CsrMatrix uploadCsr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    if (rowPtr.length != rows + 1) {
      throw new IllegalArgumentException("rowPtr has " + rowPtr.length + " entries, expected " + (rows + 1));
    }
    int nnz = rowPtr[rows];
    return new CpuCsrMatrix(rowPtr.clone(), Arrays.copyOf(colIndices, nnz), Arrays.copyOf(values, nnz), 0, rows,
        cols);
  }

  @Override
  public DenseMatrix uploadOwned(float[] data, int rows, int cols) {
    return new CpuDenseMatrix(data, 0, rows, cols);
  }

  @Override
  public CsrMatrix uploadCsrOwned(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    if (rowPtr.length != rows + 1) {
      throw new IllegalArgumentException("rowPtr has " + rowPtr.length + " entries, expected " + (rows + 1));
    }
    return new CpuCsrMatrix(rowPtr, colIndices, values, 0, rows, cols);
  }

  @Override
  public void write(float[] src, int offset, DenseMatrix dst) {
    CpuDenseMatrix m = d(dst);
    System.arraycopy(src, offset, m.data, m.offset, (int) m.size());
  }

  @Override
  public void read(DenseMatrix src, float[] dst, int offset) {
    CpuDenseMatrix m = d(src);
    System.arraycopy(m.data, m.offset, dst, offset, (int) m.size());
  }

  @Override
  public void copy(DenseMatrix src, DenseMatrix dst) {
    ShapeChecks.sameShape(src, dst, "copy");
    CpuDenseMatrix a = d(src);
    CpuDenseMatrix b = d(dst);
    System.arraycopy(a.data, a.offset, b.data, b.offset, (int) a.size());
  }

  @Override
  public void fill(DenseMatrix dst, float value) {
    CpuDenseMatrix m = d(dst);
    Arrays.fill(m.data, m.offset, m.offset + (int) m.size(), value);
  }

  @Override
  public void gemm(boolean transA, boolean transB, float alpha, DenseMatrix a, DenseMatrix b, float beta,
      DenseMatrix c) {
    int[] mnk = ShapeChecks.gemm(transA, transB, a, b, c);
    int m = mnk[0];
    int n = mnk[1];
    int k = mnk[2];
    if (m == 0 || n == 0) {
      return;
    }
    CpuDenseMatrix ca = d(a);
    CpuDenseMatrix cb = d(b);
    CpuDenseMatrix cc = d(c);
    if (k == 0) {
      scale(cc, beta);
      return;
    }
    if (n == 1) {
      // One output column (linear models: X·w and Xᵀ·g per mini-batch): op(B) and C are contiguous vectors.
      if (transA) {
        gemv.columns(k, m, alpha, ca.data, ca.offset, a.cols(), cb.data, cb.offset, beta, cc.data, cc.offset);
      } else {
        gemv.rows(m, k, alpha, ca.data, ca.offset, a.cols(), cb.data, cb.offset, beta, cc.data, cc.offset);
      }
      return;
    }
    // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, and a row-major X is a column-major Xᵀ.
    blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
        cb.data, cb.offset, Math.max(1, b.cols()),
        ca.data, ca.offset, Math.max(1, a.cols()),
        beta, cc.data, cc.offset, Math.max(1, n));
  }

  private static void scale(CpuDenseMatrix c, float beta) {
    int end = c.offset + (int) c.size();
    if (beta == 0f) {
      Arrays.fill(c.data, c.offset, end, 0f);
    } else if (beta != 1f) {
      for (int i = c.offset; i < end; i++) {
        c.data[i] *= beta;
      }
    }
  }

  @Override
  public void csrGemm(boolean transA, float alpha, CsrMatrix a, DenseMatrix b, float beta, DenseMatrix c) {
    CpuCsrMatrix sa = s(a);
    ShapeChecks.csrGemm(transA, a, b, c);
    CpuDenseMatrix cb = d(b);
    CpuDenseMatrix cc = d(c);
    scale(cc, beta);
    int n = b.cols();
    float[] bd = cb.data;
    float[] cd = cc.data;
    for (int i = 0; i < sa.rows(); i++) {
      int r = sa.firstRow + i;
      for (int p = sa.rowPtr[r]; p < sa.rowPtr[r + 1]; p++) {
        int j = sa.colIndices[p];
        float v = alpha * sa.values[p];
        // A·B: C[i,:] += v·B[j,:];  Aᵀ·B: C[j,:] += v·B[i,:]
        int src = cb.offset + (transA ? i : j) * n;
        int dst = cc.offset + (transA ? j : i) * n;
        for (int q = 0; q < n; q++) {
          cd[dst + q] += v * bd[src + q];
        }
      }
    }
  }

  @Override
  public void addRowVector(DenseMatrix z, DenseMatrix bias) {
    ShapeChecks.rowVector(bias, z.cols(), "addRowVector");
    CpuDenseMatrix cz = d(z);
    CpuDenseMatrix cb = d(bias);
    int n = z.cols();
    for (int i = 0; i < z.rows(); i++) {
      int row = cz.offset + i * n;
      for (int j = 0; j < n; j++) {
        cz.data[row + j] += cb.data[cb.offset + j];
      }
    }
  }

  @Override
  public void columnSums(float alpha, DenseMatrix x, float beta, DenseMatrix out) {
    ShapeChecks.rowVector(out, x.cols(), "columnSums");
    CpuDenseMatrix cx = d(x);
    CpuDenseMatrix co = d(out);
    int n = x.cols();
    double[] sums = new double[n];
    for (int i = 0; i < x.rows(); i++) {
      int row = cx.offset + i * n;
      for (int j = 0; j < n; j++) {
        sums[j] += cx.data[row + j];
      }
    }
    for (int j = 0; j < n; j++) {
      int o = co.offset + j;
      co.data[o] = (float) (alpha * sums[j] + (beta == 0f ? 0.0 : beta * co.data[o]));
    }
  }

  @Override
  public void activate(Activation f, DenseMatrix z) {
    CpuDenseMatrix cz = d(z);
    float[] a = cz.data;
    int end = cz.offset + (int) cz.size();
    switch (f) {
      case IDENTITY:
        return;
      case RELU:
        for (int i = cz.offset; i < end; i++) {
          a[i] = a[i] > 0f ? a[i] : 0f;
        }
        return;
      case SIGMOID:
        for (int i = cz.offset; i < end; i++) {
          a[i] = (float) sigmoid(a[i]);
        }
        return;
      case TANH:
        for (int i = cz.offset; i < end; i++) {
          a[i] = (float) Math.tanh(a[i]);
        }
        return;
      default:
        throw new IllegalArgumentException("Unsupported activation " + f);
    }
  }

  @Override
  public void activationBackward(Activation f, DenseMatrix out, DenseMatrix grad) {
    ShapeChecks.sameShape(out, grad, "activationBackward");
    CpuDenseMatrix co = d(out);
    CpuDenseMatrix cg = d(grad);
    int n = (int) out.size();
    float[] o = co.data;
    float[] g = cg.data;
    for (int i = 0; i < n; i++) {
      float y = o[co.offset + i];
      float derivative;
      switch (f) {
        case IDENTITY:
          derivative = 1f;
          break;
        case RELU:
          derivative = y > 0f ? 1f : 0f;
          break;
        case SIGMOID:
          derivative = y * (1f - y);
          break;
        case TANH:
          derivative = 1f - y * y;
          break;
        default:
          throw new IllegalArgumentException("Unsupported activation " + f);
      }
      g[cg.offset + i] *= derivative;
    }
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
  }

  /** log(1 + e^z) without overflow. */
  static double softplus(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  @Override
  public double lossAndGradient(Loss loss, DenseMatrix z, DenseMatrix labels, DenseMatrix weights, float gradScale,
      DenseMatrix grad) {
    ShapeChecks.loss(z, labels, weights, grad);
    int rows = z.rows();
    int k = z.cols();
    CpuDenseMatrix cz = d(z);
    CpuDenseMatrix cy = d(labels);
    CpuDenseMatrix cw = d(weights);
    CpuDenseMatrix cg = d(grad);
    double total = 0.0;
    for (int i = 0; i < rows; i++) {
      double w = cw.data[cw.offset + i];
      double y = cy.data[cy.offset + i];
      int row = cz.offset + i * k;
      int grow = cg.offset + i * k;
      switch (loss) {
        case SQUARED_ERROR: {
          double r = cz.data[row] - y;
          total += w * 0.5 * r * r;
          cg.data[grow] = (float) (gradScale * w * r);
          break;
        }
        case LOGISTIC: {
          // softplus and sigmoid from one exp(-|z|): the same values as softplus(z) and sigmoid(z), bit for bit.
          double zi = cz.data[row];
          double e = Math.exp(-Math.abs(zi));
          double softplus = (zi > 0 ? zi : 0.0) + Math.log1p(e);
          double sigmoid = zi >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
          total += w * (softplus - y * zi);
          cg.data[grow] = (float) (gradScale * w * (sigmoid - y));
          break;
        }
        case SOFTMAX_CROSS_ENTROPY: {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < k; j++) {
            max = Math.max(max, cz.data[row + j]);
          }
          double sum = 0.0;
          for (int j = 0; j < k; j++) {
            sum += Math.exp(cz.data[row + j] - max);
          }
          double logSum = max + Math.log(sum);
          int label = (int) y;
          total += w * (logSum - cz.data[row + label]);
          for (int j = 0; j < k; j++) {
            double p = Math.exp(cz.data[row + j] - logSum);
            cg.data[grow + j] = (float) (gradScale * w * (p - (j == label ? 1.0 : 0.0)));
          }
          break;
        }
        default:
          throw new IllegalArgumentException("Unsupported loss " + loss);
      }
    }
    return total;
  }

  /**
   * One pass over the rows (see {@link LinearKernel}) instead of the composed default's two; the centring enters as
   * the bias b - m·w and the correction -m·Σg of the weight gradient, computed as the default computes them.
   */
  @Override
  public double linearLossAndGradient(Loss loss, DenseMatrix dense, CsrMatrix sparse, DenseMatrix labels,
      DenseMatrix weights, DenseMatrix shift, boolean fitBias, float gradScale, DenseMatrix params,
      DenseMatrix grads, DenseMatrix work) {
    if (loss != Loss.LOGISTIC && loss != Loss.SQUARED_ERROR) {
      throw new IllegalArgumentException("linearLossAndGradient: " + loss + " has more than one output; expected "
          + Loss.LOGISTIC + " or " + Loss.SQUARED_ERROR);
    }
    if ((dense == null) == (sparse == null)) {
      throw new IllegalArgumentException("linearLossAndGradient: expected exactly one of dense and sparse features");
    }
    int rows = labels.rows();
    int d = params.cols() - 1;
    int features = dense != null ? dense.cols() : sparse.cols();
    int featureRows = dense != null ? dense.rows() : sparse.rows();
    if (params.rows() != 1 || features != d || featureRows != rows || labels.cols() != 1
        || weights.rows() != rows || weights.cols() != 1 || grads.size() != d + 1L
        || (shift != null && (shift.rows() != 1 || shift.cols() != d))) {
      throw new IllegalArgumentException("linearLossAndGradient: features " + featureRows + " x " + features
          + ", labels " + labels.rows() + " x " + labels.cols() + ", weights " + weights.rows() + " x "
          + weights.cols() + ", params " + params.rows() + " x " + params.cols() + ", grads " + grads.size()
          + (shift != null ? ", shift " + shift.rows() + " x " + shift.cols() : "") + "; expected rows x d, rows x 1 "
          + "twice, 1 x (d + 1), d + 1 and 1 x d");
    }
    CpuDenseMatrix p = d(params);
    CpuDenseMatrix g = d(grads);
    CpuDenseMatrix y = d(labels);
    CpuDenseMatrix w = d(weights);
    float bias = p.data[p.offset + d];
    CpuDenseMatrix m = shift != null ? d(shift) : null;
    if (m != null) {
      float[] centred = {bias};
      gemv.rows(1, d, -1f, m.data, m.offset, d, p.data, p.offset, 1f, centred, 0);
      bias = centred[0];
    }
    boolean logistic = loss == Loss.LOGISTIC;
    double total;
    if (sparse != null) {
      CpuCsrMatrix s = s(sparse);
      total = linear.sparse(logistic, s.rowPtr, s.colIndices, s.values, s.firstRow, rows, d, y.data, y.offset,
          w.data, w.offset, p.data, p.offset, bias, gradScale, g.data, g.offset);
    } else {
      CpuDenseMatrix x = d(dense);
      total = linear.dense(logistic, x.data, x.offset, rows, d, y.data, y.offset, w.data, w.offset, p.data,
          p.offset, bias, gradScale, g.data, g.offset);
    }
    if (m != null) {
      gemv.columns(1, d, -1f, m.data, m.offset, d, g.data, g.offset + d, 1f, g.data, g.offset);
    }
    if (!fitBias) {
      g.data[g.offset + d] = 0f;
    }
    return total;
  }

  @Override
  public void outputTransform(Loss loss, DenseMatrix z) {
    CpuDenseMatrix cz = d(z);
    int k = z.cols();
    switch (loss) {
      case SQUARED_ERROR:
        return;
      case LOGISTIC:
        activate(Activation.SIGMOID, z);
        return;
      case SOFTMAX_CROSS_ENTROPY:
        for (int i = 0; i < z.rows(); i++) {
          int row = cz.offset + i * k;
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < k; j++) {
            max = Math.max(max, cz.data[row + j]);
          }
          double sum = 0.0;
          for (int j = 0; j < k; j++) {
            sum += Math.exp(cz.data[row + j] - max);
          }
          for (int j = 0; j < k; j++) {
            cz.data[row + j] = (float) (Math.exp(cz.data[row + j] - max) / sum);
          }
        }
        return;
      default:
        throw new IllegalArgumentException("Unsupported loss " + loss);
    }
  }

  @Override
  public void optimizerStep(OptimizerStep step, DenseMatrix params, DenseMatrix grad, DenseMatrix state,
      DenseMatrix l2, DenseMatrix l1) {
    int n = ShapeChecks.optimizer(params, grad, state, l2, l1, step.kind().stateSlots());
    CpuDenseMatrix w = d(params);
    CpuDenseMatrix g = d(grad);
    CpuDenseMatrix st = d(state);
    CpuDenseMatrix r2 = d(l2);
    CpuDenseMatrix r1 = d(l1);
    float lr = step.learningRate();
    if (step.kind() == OptimizerKind.SGD) {
      float mu = step.momentum();
      for (int i = 0; i < n; i++) {
        float wi = w.data[w.offset + i];
        float gi = g.data[g.offset + i] + r2.data[r2.offset + i] * wi;
        float v = mu * st.data[st.offset + i] + gi;
        st.data[st.offset + i] = v;
        wi -= lr * v;
        w.data[w.offset + i] = shrink(wi, lr * r1.data[r1.offset + i] / (1f - mu));
      }
    } else {
      float b1 = step.beta1();
      float b2 = step.beta2();
      float c1 = (float) (1.0 / (1.0 - Math.pow(b1, step.step())));
      float c2 = (float) (1.0 / (1.0 - Math.pow(b2, step.step())));
      float eps = step.epsilon();
      int vOff = st.offset + n;
      for (int i = 0; i < n; i++) {
        float wi = w.data[w.offset + i];
        float gi = g.data[g.offset + i] + r2.data[r2.offset + i] * wi;
        float m = b1 * st.data[st.offset + i] + (1f - b1) * gi;
        float v = b2 * st.data[vOff + i] + (1f - b2) * gi * gi;
        st.data[st.offset + i] = m;
        st.data[vOff + i] = v;
        float denom = (float) Math.sqrt(v * c2) + eps;
        wi -= lr * (m * c1) / denom;
        w.data[w.offset + i] = shrink(wi, lr * r1.data[r1.offset + i] / denom);
      }
    }
  }

  /** The L1 proximal operator: sign(w)·max(|w| - t, 0). */
  static float shrink(float w, float t) {
    if (t <= 0f) {
      return w;
    }
    return w > t ? w - t : (w < -t ? w + t : 0f);
  }

  @Override
  public double sumOfSquares(DenseMatrix x) {
    CpuDenseMatrix cx = d(x);
    double s = 0.0;
    for (int i = cx.offset, end = cx.offset + (int) cx.size(); i < end; i++) {
      s += (double) cx.data[i] * cx.data[i];
    }
    return s;
  }

  @Override
  public void close() {
    // Nothing native to release.
  }
}
