package io.sparkgpu.backend.cpu;

import io.sparkgpu.backend.BackendConformanceTest;
import io.sparkgpu.backend.ComputeBackend;

/** The backend contract on the CPU reference backend. */
class CpuBackendConformanceTest extends BackendConformanceTest {
  @Override
  protected ComputeBackend createBackend() {
    return new CpuBackend();
  }
}
