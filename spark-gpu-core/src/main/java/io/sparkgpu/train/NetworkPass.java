package io.sparkgpu.train;

import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The forward and backward pass of a {@link NetworkSpec} over one mini-batch, written once over
 * {@link ComputeBackend} primitives. Owns the work space for mini-batches of up to {@code maxRows} rows (layer
 * outputs, their gradients, the centred first-layer bias) and closes it; parameters and gradients belong to the
 * caller. A network with no hidden layer and one output (linear and binary logistic regression) trains through
 * {@link ComputeBackend#linearLossAndGradient}, which a backend may run as one pass over the rows.
 */
public final class NetworkPass implements AutoCloseable {
  private final ComputeBackend backend;
  private final NetworkSpec spec;
  private final int maxRows;
  private final List<DenseMatrix> outputs = new ArrayList<>();
  private final List<DenseMatrix> gradients = new ArrayList<>();
  private final DenseMatrix shift; // 1 x d, null when inputs are not centred
  private final DenseMatrix firstBias; // 1 x out0, the first layer's bias after centring
  private final boolean fitFirstBias;
  private final DenseMatrix linearWork; // scratch of linearLossAndGradient, null unless the network is one linear unit

  public NetworkPass(ComputeBackend backend, NetworkSpec spec, int maxRows, float[] inputShift,
      boolean fitFirstBias) {
    this.fitFirstBias = fitFirstBias;
    this.backend = backend;
    this.spec = spec;
    this.maxRows = maxRows;
    boolean ok = false;
    DenseMatrix s = null;
    DenseMatrix fb = null;
    DenseMatrix lw = null;
    try {
      for (int l = 0; l < spec.numLayers(); l++) {
        outputs.add(backend.allocate(maxRows, spec.layerOutputs(l)));
        gradients.add(backend.allocate(maxRows, spec.layerOutputs(l)));
      }
      boolean centred = false;
      for (float v : inputShift) {
        centred |= v != 0f;
      }
      if (centred) {
        s = backend.upload(inputShift, 0, 1, inputShift.length);
        fb = backend.allocate(1, spec.layerOutputs(0));
      }
      if (isLinearUnit(spec)) {
        lw = backend.allocate(1, 2 * maxRows + 1);
      }
      ok = true;
    } finally {
      if (!ok) {
        closeAll(s, fb, lw);
      }
    }
    this.shift = s;
    this.firstBias = fb;
    this.linearWork = lw;
  }

  /** No hidden layer and one output: linear or binary logistic regression, which has a one-call pass. */
  private static boolean isLinearUnit(NetworkSpec spec) {
    return spec.numLayers() == 1 && spec.outputs() == 1;
  }

  public int maxRows() {
    return maxRows;
  }

  /** Exactly one of {@code dense} and {@code sparse} is non-null: the mini-batch's features. */
  private void firstLayer(DenseMatrix dense, CsrMatrix sparse, DenseMatrix w, DenseMatrix z) {
    if (sparse != null) {
      backend.csrGemm(false, 1f, sparse, w, 0f, z);
    } else {
      backend.gemm(false, false, 1f, dense, w, 0f, z);
    }
  }

  /**
   * Runs the network on a mini-batch and leaves the outputs of the last layer, before the output transform, in the
   * returned view (rows x outputs). Valid until the next call.
   */
  public DenseMatrix forward(DenseMatrix dense, CsrMatrix sparse, DenseMatrix params) {
    int rows = dense != null ? dense.rows() : sparse.rows();
    checkRows(rows);
    DenseMatrix input = dense;
    for (int l = 0; l < spec.numLayers(); l++) {
      int in = spec.layerInputs(l);
      int out = spec.layerOutputs(l);
      DenseMatrix w = params.view(spec.weightOffset(l), in, out);
      DenseMatrix b = params.view(spec.biasOffset(l), 1, out);
      DenseMatrix z = outputs.get(l).rowRange(0, rows);
      if (l == 0) {
        firstLayer(dense, sparse, w, z);
        if (shift != null) {
          // Centred inputs: (x - m)·W + b = x·W + (b - m·W).
          backend.copy(b, firstBias);
          backend.gemm(false, false, -1f, shift, w, 1f, firstBias);
          b = firstBias;
        }
      } else {
        backend.gemm(false, false, 1f, input, w, 0f, z);
      }
      backend.addRowVector(z, b);
      if (l + 1 < spec.numLayers()) {
        backend.activate(spec.hiddenActivation(), z);
      }
      input = z;
    }
    return input;
  }

  /**
   * Forward and backward pass: writes the gradient of (gradScale·Σ w·loss) into {@code grads} (1 x numParams) and
   * returns Σ w·loss over the mini-batch.
   */
  public double lossAndGradient(DenseMatrix dense, CsrMatrix sparse, DenseMatrix labels, DenseMatrix weights,
      float gradScale, DenseMatrix params, DenseMatrix grads) {
    int rows = labels.rows();
    if (linearWork != null) {
      checkRows(rows);
      return backend.linearLossAndGradient(spec.loss(), dense, sparse, labels, weights, shift, fitFirstBias,
          gradScale, params, grads, linearWork);
    }
    DenseMatrix last = forward(dense, sparse, params);
    int layers = spec.numLayers();
    DenseMatrix dz = gradients.get(layers - 1).rowRange(0, rows);
    double loss = backend.lossAndGradient(spec.loss(), last, labels, weights, gradScale, dz);
    for (int l = layers - 1; l >= 0; l--) {
      int in = spec.layerInputs(l);
      int out = spec.layerOutputs(l);
      DenseMatrix dw = grads.view(spec.weightOffset(l), in, out);
      DenseMatrix db = grads.view(spec.biasOffset(l), 1, out);
      if (l == 0) {
        if (sparse != null) {
          backend.csrGemm(true, 1f, sparse, dz, 0f, dw);
        } else {
          backend.gemm(true, false, 1f, dense, dz, 0f, dw);
        }
      } else {
        backend.gemm(true, false, 1f, outputs.get(l - 1).rowRange(0, rows), dz, 0f, dw);
      }
      backend.columnSums(1f, dz, 0f, db);
      if (l == 0 && shift != null) {
        // The centring term -m·W of the effective bias depends on W whether or not b itself is trained.
        backend.gemm(true, false, -1f, shift, db, 1f, dw);
      }
      if (l == 0 && !fitFirstBias) {
        backend.fill(db, 0f); // no intercept: the bias stays where it started
      }
      if (l > 0) {
        DenseMatrix w = params.view(spec.weightOffset(l), in, out);
        DenseMatrix prev = gradients.get(l - 1).rowRange(0, rows);
        backend.gemm(false, true, 1f, dz, w, 0f, prev);
        backend.activationBackward(spec.hiddenActivation(), outputs.get(l - 1).rowRange(0, rows), prev);
        dz = prev;
      }
    }
    return loss;
  }

  /** The weighted loss Σ w·l of a mini-batch at {@code params}, without gradients of the parameters. */
  public double loss(DenseMatrix dense, CsrMatrix sparse, DenseMatrix labels, DenseMatrix weights,
      DenseMatrix params) {
    int rows = labels.rows();
    DenseMatrix last = forward(dense, sparse, params);
    return backend.lossAndGradient(spec.loss(), last, labels, weights, 0f,
        gradients.get(spec.numLayers() - 1).rowRange(0, rows));
  }

  /**
   * The last layer's outputs (before the output transform) of the latest {@link #forward} or {@link #loss} over
   * {@code rows} rows (a linear unit's {@link #lossAndGradient} does not keep them).
   */
  public DenseMatrix lastOutput(int rows) {
    return outputs.get(spec.numLayers() - 1).rowRange(0, rows);
  }

  private void checkRows(int rows) {
    if (rows > maxRows) {
      throw new IllegalArgumentException("Mini-batch of " + rows + " rows exceeds the work space of " + maxRows);
    }
  }

  private static void closeAll(AutoCloseable... resources) {
    RuntimeException first = null;
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("Could not free work space", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(outputs);
    all.addAll(gradients);
    all.add(shift);
    all.add(firstBias);
    all.add(linearWork);
    closeAll(all.toArray(new AutoCloseable[0]));
  }

}
