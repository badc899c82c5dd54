package io.sparkgpu.train;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.Loss;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The shape of a network: layer sizes (inputs, hidden sizes..., outputs), the activation of the hidden layers
 * and the fused output loss. Linear and logistic regression are the cases with no hidden layer.
 *
 * <p>Parameters live in one flat float array: for each layer l, its weights W_l (in x out, row-major) followed
 * by its bias b_l (out). Immutable.
 */
public final class NetworkSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] layers;
  private final Activation hidden;
  private final Loss loss;

  public NetworkSpec(int[] layers, Activation hidden, Loss loss) {
    if (layers.length < 2) {
      throw new IllegalArgumentException("A network needs at least an input and an output size, got "
          + Arrays.toString(layers));
    }
    for (int size : layers) {
      if (size < 1) {
        throw new IllegalArgumentException("Layer sizes must be positive, got " + Arrays.toString(layers));
      }
    }
    int outputs = layers[layers.length - 1];
    if ((loss == Loss.SQUARED_ERROR || loss == Loss.LOGISTIC) && outputs != 1) {
      throw new IllegalArgumentException(loss + " needs 1 output, got " + outputs);
    }
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY && outputs < 2) {
      throw new IllegalArgumentException("Softmax needs at least 2 outputs, got " + outputs);
    }
    long n = 0;
    for (int l = 0; l + 1 < layers.length; l++) {
      n += (long) layers[l] * layers[l + 1] + layers[l + 1];
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("The network has " + n + " parameters, more than one array holds");
    }
    this.layers = layers.clone();
    this.hidden = hidden;
    this.loss = loss;
  }

  /** Linear or logistic model: inputs straight to outputs. */
  public static NetworkSpec linear(int inputs, int outputs, Loss loss) {
    return new NetworkSpec(new int[] {inputs, outputs}, Activation.IDENTITY, loss);
  }

  public int numLayers() {
    return layers.length - 1;
  }

  public int inputs() {
    return layers[0];
  }

  public int outputs() {
    return layers[layers.length - 1];
  }

  public int layerInputs(int layer) {
    return layers[layer];
  }

  public int layerOutputs(int layer) {
    return layers[layer + 1];
  }

  public int[] layers() {
    return layers.clone();
  }

  public Activation hiddenActivation() {
    return hidden;
  }

  public Loss loss() {
    return loss;
  }

  /** Offset of W_layer in the flat parameter array. */
  public int weightOffset(int layer) {
    int off = 0;
    for (int l = 0; l < layer; l++) {
      off += layers[l] * layers[l + 1] + layers[l + 1];
    }
    return off;
  }

  /** Offset of b_layer in the flat parameter array. */
  public int biasOffset(int layer) {
    return weightOffset(layer) + layers[layer] * layers[layer + 1];
  }

  public int numParams() {
    return weightOffset(numLayers());
  }

  /** The widest layer, for sizing work space. */
  public int maxWidth() {
    int max = 0;
    for (int l = 1; l < layers.length; l++) {
      max = Math.max(max, layers[l]);
    }
    return max;
  }

  @Override
  public String toString() {
    return "NetworkSpec" + Arrays.toString(layers) + " " + hidden + " " + loss;
  }
}
