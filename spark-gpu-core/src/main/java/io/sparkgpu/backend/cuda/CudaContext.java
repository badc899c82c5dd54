package io.sparkgpu.backend.cuda;

import static io.sparkgpu.backend.cuda.CudaCallException.checkDriver;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * One device's primary CUDA context (the one the CUDA runtime, and so cuBLAS, also uses), retained on open and
 * released on close. A context is current per thread: {@link #makeCurrent} must run on every thread before it calls
 * CUDA. Owned by the {@link CudaBackend} that opened it, which closes it last.
 */
final class CudaContext implements AutoCloseable {
  final int ordinal;
  final String name;
  /** Compute capability as major * 10 + minor. */
  final int arch;
  final int multiprocessors;
  private final CUdevice device;
  private final CUcontext context;
  private boolean released;

  private CudaContext(int ordinal, String name, int arch, int multiprocessors, CUdevice device, CUcontext context) {
    this.ordinal = ordinal;
    this.name = name;
    this.arch = arch;
    this.multiprocessors = multiprocessors;
    this.device = device;
    this.context = context;
  }

  /** Retains device {@code ordinal}'s primary context and makes it current on the calling thread. */
  static CudaContext open(int ordinal) {
    checkDriver(JCudaDriver.cuInit(0), "cuInit");
    int[] count = {0};
    checkDriver(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
    if (ordinal < 0 || ordinal >= count[0]) {
      throw new IllegalArgumentException("CUDA device " + ordinal + " does not exist: this process sees " + count[0]
          + " device(s) (CUDA_VISIBLE_DEVICES=" + System.getenv("CUDA_VISIBLE_DEVICES") + ")");
    }
    CUdevice device = new CUdevice();
    checkDriver(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    CUcontext context = new CUcontext();
    checkDriver(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain(" + ordinal + ")");
    try {
      checkDriver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(" + ordinal + ")");
      int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
      int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
      int sms = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
      byte[] nameBytes = new byte[256];
      checkDriver(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
      int len = 0;
      while (len < nameBytes.length && nameBytes[len] != 0) {
        len++;
      }
      String name = new String(nameBytes, 0, len, StandardCharsets.UTF_8);
      return new CudaContext(ordinal, name, major * 10 + minor, sms, device, context);
    } catch (RuntimeException e) {
      int r = JCudaDriver.cuDevicePrimaryCtxRelease(device);
      if (r != 0) {
        e.addSuppressed(new CudaCallException("cuDevicePrimaryCtxRelease failed: " + r, r));
      }
      throw e;
    }
  }

  private static int attribute(CUdevice device, int attribute) {
    int[] value = {0};
    checkDriver(JCudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute
        + ")");
    return value[0];
  }

  /** Makes this context current on the calling thread (cheap: a thread-local write in the driver). */
  void makeCurrent() {
    checkDriver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(cuda:" + ordinal + ")");
  }

  /** {free, total} device memory in bytes; the context must be current. */
  long[] memoryInfo() {
    long[] free = {0};
    long[] total = {0};
    checkDriver(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
    return new long[] {free[0], total[0]};
  }

  /** Waits for all work queued in this context; surfaces errors of earlier asynchronous launches. */
  void synchronize() {
    checkDriver(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize(cuda:" + ordinal + ")");
  }

  /** Releases the primary context once; the driver destroys it, and frees its memory, with the last release. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    checkDriver(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease(cuda:" + ordinal + ")");
  }
}
