package io.sparkgpu.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The arguments of one kernel launch, in order, with their kinds (checked against {@link Kernel#params}) and the
 * pointer array that {@code cuLaunchKernel} takes: one host pointer to each argument's value. Host memory only.
 */
final class KernelArgs {
  private final List<Kernel.ArgKind> kinds = new ArrayList<>();
  private final List<Pointer> values = new ArrayList<>();

  /** A device pointer argument; the pointer must already include the view's byte offset. */
  KernelArgs pointer(CUdeviceptr p) {
    kinds.add(Kernel.ArgKind.POINTER);
    values.add(Pointer.to(p));
    return this;
  }

  KernelArgs i32(int v) {
    kinds.add(Kernel.ArgKind.INT);
    values.add(Pointer.to(new int[] {v}));
    return this;
  }

  KernelArgs i64(long v) {
    kinds.add(Kernel.ArgKind.LONG);
    values.add(Pointer.to(new long[] {v}));
    return this;
  }

  KernelArgs f32(float v) {
    kinds.add(Kernel.ArgKind.FLOAT);
    values.add(Pointer.to(new float[] {v}));
    return this;
  }

  List<Kernel.ArgKind> kinds() {
    return List.copyOf(kinds);
  }

  /** The {@code kernelParams} of cuLaunchKernel. */
  Pointer toKernelParams() {
    return Pointer.to(values.toArray(new NativePointerObject[0]));
  }
}
