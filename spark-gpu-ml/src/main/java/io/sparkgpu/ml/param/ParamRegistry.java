package io.sparkgpu.ml.param;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * Holds the Params that the default methods of our Param interfaces declare, creating each on first use with its
 * owner's uid and registering its default. One registry per stage; the stage owns it. Lazily created Params avoid
 * the trap of a Java field read inside a Scala super constructor.
 */
public final class ParamRegistry implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final Params owner;
  private final Map<String, Param<?>> params = new HashMap<>();

  public ParamRegistry(Params owner) {
    this.owner = owner;
  }

  /**
   * The Param {@code name} of the owner: made by {@code make} (given the owner) the first time, with
   * {@code defaultValue} registered as its default unless it is null.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public synchronized <P extends Param<?>> P param(String name, Function<Params, P> make, Object defaultValue) {
    P p = (P) params.get(name);
    if (p == null) {
      p = make.apply(owner);
      params.put(name, p);
      if (defaultValue != null) {
        owner.setDefault((Param) p, defaultValue);
      }
    }
    return p;
  }
}
