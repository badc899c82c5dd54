package io.sparkgpu.ml.classification;

import io.sparkgpu.ml.param.TrainerParams;
import io.sparkgpu.ml.param.Validators;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;

/** Params of {@link LogisticRegression} and its model beyond the shared trainer Params, as MLlib names them. */
public interface LogisticRegressionParams extends TrainerParams {

  default Param<String> family() {
    return paramRegistry().param("family", owner -> new Param<String>(owner, "family",
        "label distribution: auto (binomial for 1 or 2 classes, else multinomial), binomial or multinomial. "
            + "Default is auto.", Validators.oneOf("auto", "binomial", "multinomial")), "auto");
  }

  default String getFamily() {
    return value(family());
  }

  default DoubleParam threshold() {
    return paramRegistry().param("threshold", owner -> new DoubleParam(owner, "threshold",
        "in binary classification, predict 1 when the probability of class 1 exceeds this, in [0, 1]; "
            + "thresholds, when set, take precedence. Default is 0.5.", Validators.inRange(0, 1, true, true)), 0.5);
  }

  default double getThreshold() {
    return (Double) value(threshold());
  }
}
