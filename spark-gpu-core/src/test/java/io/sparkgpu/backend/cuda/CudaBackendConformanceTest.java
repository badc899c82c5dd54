package io.sparkgpu.backend.cuda;

import io.sparkgpu.backend.BackendConformanceTest;
import io.sparkgpu.backend.ComputeBackend;

/**
 * The backend contract on the CUDA backend (device 0). Where CUDA cannot be used, every test is reported as skipped
 * with the probe's reason.
 */
class CudaBackendConformanceTest extends BackendConformanceTest {
  @Override
  protected String unavailableReason() {
    return CudaProbe.availability().reasonUnusable();
  }

  @Override
  protected ComputeBackend createBackend() {
    return CudaBackend.open(0, CudaSettings.defaults());
  }
}
