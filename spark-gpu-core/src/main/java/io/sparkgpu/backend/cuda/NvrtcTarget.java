package io.sparkgpu.backend.cuda;

/**
 * What NVRTC compiles the kernels to for one device: machine code ({@code sm_XY}, a cubin that needs no JIT and so
 * loads on any driver of the same major CUDA version) when this NVRTC knows the device's architecture, otherwise PTX
 * for the newest architecture it knows below the device's ({@code compute_XY}), which the driver JIT-compiles. A
 * plain value, chosen by a pure function.
 *
 * @param arch compute capability as major * 10 + minor, e.g. 86
 * @param cubin true for machine code, false for PTX
 */
record NvrtcTarget(int arch, boolean cubin) {

  /** The NVRTC option that selects this target. */
  String option() {
    return "--gpu-architecture=" + (cubin ? "sm_" : "compute_") + arch;
  }

  /**
   * @param deviceArch the device's compute capability as major * 10 + minor
   * @param supported the architectures NVRTC reports ({@code nvrtcGetSupportedArchs}); empty when unknown, in which
   *     case the device's own is tried
   */
  static NvrtcTarget choose(int deviceArch, int[] supported) {
    if (supported.length == 0) {
      return new NvrtcTarget(deviceArch, true);
    }
    int best = -1;
    for (int a : supported) {
      if (a == deviceArch) {
        return new NvrtcTarget(deviceArch, true);
      }
      if (a < deviceArch && a > best) {
        best = a;
      }
    }
    if (best < 0) {
      throw new IllegalArgumentException("The GPU's compute capability " + deviceArch / 10 + "." + deviceArch % 10
          + " is older than every architecture this NVRTC compiles for (oldest " + min(supported) / 10 + "."
          + min(supported) % 10 + "): use a newer GPU, or device=cpu");
    }
    return new NvrtcTarget(best, false);
  }

  private static int min(int[] values) {
    int m = Integer.MAX_VALUE;
    for (int v : values) {
      m = Math.min(m, v);
    }
    return m;
  }
}
