package io.sparkgpu.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import jcuda.nvrtc.nvrtcResult;

/** A CUDA driver, cuBLAS or NVRTC call that returned an error code; the message names the call and the code. */
public final class CudaCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;

  CudaCallException(String message, int code) {
    super(message);
    this.code = code;
  }

  /** The error code as the failing library reported it. */
  public int code() {
    return code;
  }

  /** Throws unless a driver API call returned CUDA_SUCCESS. */
  static void checkDriver(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaCallException(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")", result);
    }
  }

  /** Throws unless a cuBLAS call returned CUBLAS_STATUS_SUCCESS. */
  static void checkCublas(int status, String call) {
    if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
      throw new CudaCallException(call + " failed: " + cublasStatus.stringFor(status) + " (" + status + ")", status);
    }
  }

  /** Throws unless an NVRTC call returned NVRTC_SUCCESS. */
  static void checkNvrtc(int result, String call) {
    if (result != nvrtcResult.NVRTC_SUCCESS) {
      throw new CudaCallException(call + " failed: " + nvrtcResult.stringFor(result) + " (" + result + ")", result);
    }
  }
}
