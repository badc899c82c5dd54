package io.sparkgpu.ml.param;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/** A stage whose Params are declared in interfaces and held by its {@link ParamRegistry}. */
public interface HasParamRegistry extends Params {
  ParamRegistry paramRegistry();

  /** The value of {@code p}: its set value, else its default. */
  default <T> T value(Param<T> p) {
    return $(p);
  }
}
