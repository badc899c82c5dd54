package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.Loss;
import org.junit.jupiter.api.Test;

/** {@link NetworkSpec}: the flat parameter layout W0, b0, W1, b1, ... and the checks on shapes. */
class NetworkSpecTest {

  @Test
  void offsetsOfAThreeLayerNetwork() {
    // 5 -> 4 -> 3 -> 2: W0 5·4 = 20 at 0, b0 4 at 20, W1 4·3 = 12 at 24, b1 3 at 36, W2 3·2 = 6 at 39, b2 2 at 45
    NetworkSpec s = new NetworkSpec(new int[] {5, 4, 3, 2}, Activation.RELU, Loss.SOFTMAX_CROSS_ENTROPY);
    assertEquals(3, s.numLayers());
    assertEquals(0, s.weightOffset(0));
    assertEquals(20, s.biasOffset(0));
    assertEquals(24, s.weightOffset(1));
    assertEquals(36, s.biasOffset(1));
    assertEquals(39, s.weightOffset(2));
    assertEquals(45, s.biasOffset(2));
    assertEquals(47, s.numParams());
    assertEquals(4, s.maxWidth());
    assertEquals(5, s.inputs());
    assertEquals(2, s.outputs());
    assertEquals(4, s.layerInputs(1));
    assertEquals(3, s.layerOutputs(1));
    assertArrayEquals(new int[] {5, 4, 3, 2}, s.layers());
  }

  @Test
  void theBlocksTileTheParameterArray() {
    NetworkSpec s = new NetworkSpec(new int[] {7, 33, 1, 9, 3}, Activation.TANH, Loss.SOFTMAX_CROSS_ENTROPY);
    int next = 0;
    for (int l = 0; l < s.numLayers(); l++) {
      assertEquals(next, s.weightOffset(l), "W" + l);
      next += s.layerInputs(l) * s.layerOutputs(l);
      assertEquals(next, s.biasOffset(l), "b" + l);
      next += s.layerOutputs(l);
    }
    assertEquals(next, s.numParams());
    assertEquals(7 * 33 + 33 + 33 + 1 + 9 + 9 + 27 + 3, s.numParams());
  }

  @Test
  void linearModels() {
    NetworkSpec logistic = NetworkSpec.linear(123, 1, Loss.LOGISTIC);
    assertEquals(1, logistic.numLayers());
    assertEquals(124, logistic.numParams());
    assertEquals(123, logistic.biasOffset(0));
    NetworkSpec softmax = NetworkSpec.linear(784, 10, Loss.SOFTMAX_CROSS_ENTROPY);
    assertEquals(7850, softmax.numParams());
    assertEquals(7840, softmax.biasOffset(0));
  }

  @Test
  void badShapesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(new int[] {3}, Activation.RELU,
        Loss.SQUARED_ERROR));
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(new int[] {3, 0, 1}, Activation.RELU,
        Loss.SQUARED_ERROR));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.linear(3, 2, Loss.LOGISTIC));
    assertTrue(e.getMessage().contains("1 output") && e.getMessage().contains("2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NetworkSpec.linear(3, 2, Loss.SQUARED_ERROR));
    assertThrows(IllegalArgumentException.class, () -> NetworkSpec.linear(3, 1, Loss.SOFTMAX_CROSS_ENTROPY));
    // more parameters than one array holds: 50000 · 50000
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(new int[] {50_000, 50_000, 1},
        Activation.RELU, Loss.SQUARED_ERROR));
  }
}
