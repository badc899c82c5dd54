package io.sparkgpu.testing;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerStep;

/**
 * A {@link ComputeBackend} that delegates to another one and keeps count of the matrices it made and that are not
 * closed yet, so tests can see who frees what. Using a matrix (or a view of one) after it was closed, or closing it
 * twice, throws {@link IllegalStateException}. Closing the tracking backend does not close the delegate.
 */
public final class TrackingBackend implements ComputeBackend {
  private final ComputeBackend inner;
  private int open;

  public TrackingBackend(ComputeBackend inner) {
    this.inner = inner;
  }

  /** Matrices made by this backend and not closed yet. */
  public synchronized int openMatrices() {
    return open;
  }

  private synchronized void opened() {
    open++;
  }

  private synchronized void closed() {
    open--;
  }

  /** The state shared by an owned matrix and its views. */
  private static final class Owner {
    boolean closed;
  }

  private final class Dense implements DenseMatrix {
    final DenseMatrix inner;
    final Owner owner;
    final boolean isOwner;

    Dense(DenseMatrix inner, Owner owner, boolean isOwner) {
      this.inner = inner;
      this.owner = owner;
      this.isOwner = isOwner;
    }

    @Override
    public int rows() {
      return inner.rows();
    }

    @Override
    public int cols() {
      return inner.cols();
    }

    @Override
    public DenseMatrix view(long offset, int rows, int cols) {
      return new Dense(inner.view(offset, rows, cols), owner, false);
    }

    @Override
    public void close() {
      if (!isOwner) {
        return;
      }
      if (owner.closed) {
        throw new IllegalStateException("Matrix closed twice");
      }
      owner.closed = true;
      inner.close();
      closed();
    }
  }

  private final class Sparse implements CsrMatrix {
    final CsrMatrix inner;
    final Owner owner;
    final boolean isOwner;

    Sparse(CsrMatrix inner, Owner owner, boolean isOwner) {
      this.inner = inner;
      this.owner = owner;
      this.isOwner = isOwner;
    }

    @Override
    public int rows() {
      return inner.rows();
    }

    @Override
    public int cols() {
      return inner.cols();
    }

    @Override
    public long nonZeros() {
      return inner.nonZeros();
    }

    @Override
    public CsrMatrix rowRange(int start, int count) {
      return new Sparse(inner.rowRange(start, count), owner, false);
    }

    @Override
    public void close() {
      if (!isOwner) {
        return;
      }
      if (owner.closed) {
        throw new IllegalStateException("CSR matrix closed twice");
      }
      owner.closed = true;
      inner.close();
      closed();
    }
  }

  private DenseMatrix own(DenseMatrix m) {
    opened();
    return new Dense(m, new Owner(), true);
  }

  private CsrMatrix own(CsrMatrix m) {
    opened();
    return new Sparse(m, new Owner(), true);
  }

  private static DenseMatrix u(DenseMatrix m) {
    if (m == null) {
      return null;
    }
    Dense d = (Dense) m;
    if (d.owner.closed) {
      throw new IllegalStateException("Matrix used after it was closed");
    }
    return d.inner;
  }

  private static CsrMatrix u(CsrMatrix m) {
    Sparse s = (Sparse) m;
    if (s.owner.closed) {
      throw new IllegalStateException("CSR matrix used after it was closed");
    }
    return s.inner;
  }

  @Override
  public String name() {
    return "tracking-" + inner.name();
  }

  @Override
  public DenseMatrix allocate(int rows, int cols) {
    return own(inner.allocate(rows, cols));
  }

  @Override
  public DenseMatrix upload(float[] data, int offset, int rows, int cols) {
    return own(inner.upload(data, offset, rows, cols));
  }

  @Override
  public CsrMatrix uploadCsr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    return own(inner.uploadCsr(rows, cols, rowPtr, colIndices, values));
  }

  @Override
  public DenseMatrix uploadOwned(float[] data, int rows, int cols) {
    return own(inner.uploadOwned(data, rows, cols));
  }

  @Override
  public CsrMatrix uploadCsrOwned(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    return own(inner.uploadCsrOwned(rows, cols, rowPtr, colIndices, values));
  }

  @Override
  public void write(float[] src, int offset, DenseMatrix dst) {
    inner.write(src, offset, u(dst));
  }

  @Override
  public void read(DenseMatrix src, float[] dst, int offset) {
    inner.read(u(src), dst, offset);
  }

  @Override
  public void copy(DenseMatrix src, DenseMatrix dst) {
    inner.copy(u(src), u(dst));
  }

  @Override
  public void fill(DenseMatrix dst, float value) {
    inner.fill(u(dst), value);
  }

  @Override
  public void gemm(boolean transA, boolean transB, float alpha, DenseMatrix a, DenseMatrix b, float beta,
      DenseMatrix c) {
    inner.gemm(transA, transB, alpha, u(a), u(b), beta, u(c));
  }

  @Override
  public void csrGemm(boolean transA, float alpha, CsrMatrix a, DenseMatrix b, float beta, DenseMatrix c) {
    inner.csrGemm(transA, alpha, u(a), u(b), beta, u(c));
  }

  @Override
  public void addRowVector(DenseMatrix z, DenseMatrix bias) {
    inner.addRowVector(u(z), u(bias));
  }

  @Override
  public void columnSums(float alpha, DenseMatrix x, float beta, DenseMatrix out) {
    inner.columnSums(alpha, u(x), beta, u(out));
  }

  @Override
  public void activate(Activation f, DenseMatrix z) {
    inner.activate(f, u(z));
  }

  @Override
  public void activationBackward(Activation f, DenseMatrix out, DenseMatrix grad) {
    inner.activationBackward(f, u(out), u(grad));
  }

  @Override
  public double lossAndGradient(Loss loss, DenseMatrix z, DenseMatrix labels, DenseMatrix weights, float gradScale,
      DenseMatrix grad) {
    return inner.lossAndGradient(loss, u(z), u(labels), u(weights), gradScale, u(grad));
  }

  @Override
  public void outputTransform(Loss loss, DenseMatrix z) {
    inner.outputTransform(loss, u(z));
  }

  @Override
  public void optimizerStep(OptimizerStep step, DenseMatrix params, DenseMatrix grad, DenseMatrix state,
      DenseMatrix l2, DenseMatrix l1) {
    inner.optimizerStep(step, u(params), u(grad), u(state), u(l2), u(l1));
  }

  @Override
  public double sumOfSquares(DenseMatrix x) {
    return inner.sumOfSquares(u(x));
  }

  @Override
  public void close() {
    // The delegate belongs to whoever made it.
  }
}
