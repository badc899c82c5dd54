package io.sparkgpu.backend;

/**
 * The output layer and its loss, fused because their gradient is simple when taken together: for each row with
 * label y, weight w and pre-activation outputs z, the loss is w·l(z, y) and the gradient w.r.t. z is
 * w·(p(z) - onehot(y)) (w·(z - y) for squared error).
 */
public enum Loss {
  /** One output, identity: l = (z - y)² / 2. */
  SQUARED_ERROR,
  /** One output, sigmoid: l = log(1 + e^z) - y·z, y in {0, 1}. */
  LOGISTIC,
  /** k outputs, softmax: l = log Σ e^z - z_y, y in {0, ..., k-1}. */
  SOFTMAX_CROSS_ENTROPY
}
