package io.sparkgpu.backend;

/**
 * The scalars of one optimizer update. {@code step} counts updates from 1 (Adam's bias correction); the
 * regularisation is given per parameter by the vectors passed beside this record.
 */
public record OptimizerStep(
    OptimizerKind kind, float learningRate, float momentum, float beta1, float beta2, float epsilon, double step) {

  public static OptimizerStep sgd(float learningRate, float momentum) {
    return new OptimizerStep(OptimizerKind.SGD, learningRate, momentum, 0f, 0f, 0f, 1);
  }

  public static OptimizerStep adam(float learningRate, double step) {
    return new OptimizerStep(OptimizerKind.ADAM, learningRate, 0f, 0.9f, 0.999f, 1e-8f, step);
  }
}
