package io.sparkgpu.arrow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-value loops of batching a dense row: conversion to float32 with the range check, and the feature
 * statistics update. Two implementations with the same results bit for bit (each feature's sums take the same
 * operations in the same order; no fused multiply-add): the Vector API one when the JVM has
 * {@code jdk.incubator.vector} (Spark's launcher adds it), else plain loops. Stateless.
 */
abstract class RowKernels {
  private static final Logger LOG = LoggerFactory.getLogger(RowKernels.class);
  private static final RowKernels INSTANCE = choose();

  static RowKernels get() {
    return INSTANCE;
  }

  private static RowKernels choose() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        RowKernels k = (RowKernels) Class.forName("io.sparkgpu.arrow.VectorRowKernels").getDeclaredConstructor()
            .newInstance();
        LOG.debug("Batching: Vector API row kernels ({})", k.describe());
        return k;
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.debug("Batching: Vector API unavailable ({}); plain Java row kernels", e.toString());
      }
    }
    return new ScalarRowKernels();
  }

  abstract String describe();

  /** Little-endian float32 stores into a byte array, as an Arrow buffer lays them out. */
  static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

  /**
   * Writes {@code (float) src[j]} as little-endian float32 to bytes {@code [at + 4j, at + 4j + 4)} of {@code dst}
   * for j below {@code n} (an Arrow batch's value buffer); true when every value is within float32's range
   * ({@code |v| <= Float.MAX_VALUE}, so false for NaN and infinities too). Values are written either way.
   */
  abstract boolean toFloat(double[] src, int n, byte[] dst, int at);

  /**
   * Adds a dense row's values {@code v[0, n)} to the feature sums: {@code sum[j] += w·v[j]} and
   * {@code sq[j] += (w·v[j])·v[j]} (with {@code w = 1}, {@code v[j]} and {@code v[j]·v[j]}, the same values);
   * returns the number of non-zero values.
   */
  abstract long addDense(double[] v, int n, double w, double[] sum, double[] sq);
}
