package io.sparkgpu.ml.classification;

import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.ml.param.Validators;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;

/** Params of {@link MultilayerPerceptronClassifier} and its model beyond the shared trainer Params. */
public interface MultilayerPerceptronParams extends TrainerParams {

  default IntArrayParam layers() {
    return paramRegistry().param("layers", owner -> new IntArrayParam(owner, "layers",
        "sizes of the layers from input to output: input size (the number of features), hidden sizes, number of "
            + "classes; at least 2 entries, each >= 1. No default.",
        Validators.of(v -> {
          int[] a = (int[]) v;
          if (a.length < 2) {
            return false;
          }
          for (int x : a) {
            if (x < 1) {
              return false;
            }
          }
          return true;
        })), null);
  }

  default int[] getLayers() {
    return (int[]) value(layers());
  }

  default Param<String> activation() {
    return paramRegistry().param("activation", owner -> new Param<String>(owner, "activation",
        "activation of the hidden layers: relu, sigmoid (MLlib's) or tanh. Default is relu.",
        Validators.oneOf("relu", "sigmoid", "tanh")), "relu");
  }

  default String getActivation() {
    return value(activation());
  }

  default IntParam blockSize() {
    return paramRegistry().param("blockSize", owner -> new IntParam(owner, "blockSize",
        "MLlib's block size; here the mini-batch size when set (it then takes precedence over batchSize), >= 1. "
            + "Default is 128.", Validators.atLeast(1)), 128);
  }

  default int getBlockSize() {
    return (Integer) value(blockSize());
  }

  default Param<String> solver() {
    return paramRegistry().param("solver", owner -> new Param<String>(owner, "solver",
        "MLlib's solver: 'l-bfgs' (MLlib's default; here it selects the optimizer and learningRate Params, as "
            + "spark-gpu has no L-BFGS) or 'gd' (plain mini-batch gradient descent with stepSize). Default is l-bfgs.",
        Validators.oneOf("l-bfgs", "gd")), "l-bfgs");
  }

  default String getSolver() {
    return value(solver());
  }

  default DoubleParam stepSize() {
    return paramRegistry().param("stepSize", owner -> new DoubleParam(owner, "stepSize",
        "step size of solver 'gd', > 0. Default is 0.03.", Validators.positive()), 0.03);
  }

  default double getStepSize() {
    return (Double) value(stepSize());
  }

  default Param<Vector> initialWeights() {
    return paramRegistry().param("initialWeights", owner -> new Param<Vector>(owner, "initialWeights",
        "starting weights in MLlib's layout (per layer: weights of input i to output o at i * out + o, then the "
            + "biases). Default is unset: seeded He (relu) or Xavier initialisation.", Validators.any()), null);
  }

  default Vector getInitialWeights() {
    return value(initialWeights());
  }
}
