package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The probe's reasons, from the errors JCuda and CUDA produce (texts as seen on machines of this project). */
class CudaProbeTest {
  /** JCuda's message on a host without the NVIDIA driver, shortened. */
  private static final String NO_LIBCUDA = "Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
      + "Operating system name: Linux\n---(start of nested stack traces)---\n"
      + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.0.0-linux-x86_64 in java.library.path: /usr/lib\n"
      + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libcuda.so.1: cannot open "
      + "shared object file: No such file or directory\n---(end of nested stack traces)---\n";

  @Test
  void aMissingDriverLibraryIsNamed() {
    String r = CudaProbe.describeLinkageError(new UnsatisfiedLinkError(NO_LIBCUDA));
    assertTrue(r.startsWith("the NVIDIA driver library libcuda.so.1 cannot be loaded"), r);
    assertTrue(r.contains("no NVIDIA driver"), r);
  }

  @Test
  void missingCuda12LibrariesSayWhatToInstall() {
    String cublas = CudaProbe.describeLinkageError(new UnsatisfiedLinkError(
        "/tmp/libJCublas2-12.0.0-linux-x86_64.so: libcublas.so.12: cannot open shared object file: No such file"));
    assertTrue(cublas.contains("libcublas.so.12") && cublas.contains("nvidia-cublas-cu12")
        && cublas.contains("LD_LIBRARY_PATH"), cublas);
    String nvrtc = CudaProbe.describeLinkageError(new UnsatisfiedLinkError(
        "/tmp/libJNvrtc-12.0.0-linux-x86_64.so: libnvrtc.so.12: cannot open shared object file: No such file"));
    assertTrue(nvrtc.contains("libnvrtc.so.12") && nvrtc.contains("nvidia-cuda-nvrtc-cu12"), nvrtc);
    String other = CudaProbe.describeLinkageError(new UnsatisfiedLinkError(
        "/tmp/x.so: libcublasLt.so.12: cannot open shared object file"));
    assertTrue(other.contains("libcublasLt.so.12"), other);
  }

  @Test
  void otherLinkErrors() {
    String old = CudaProbe.describeLinkageError(new UnsatisfiedLinkError(
        "/tmp/libJCudaDriver-12.0.0-linux-x86_64.so: undefined symbol: cuLibraryLoadData"));
    assertTrue(old.contains("older than JCuda 12.0.0 needs") && old.contains("cuLibraryLoadData")
        && old.contains("525.60.13"), old);
    String later = CudaProbe.describeLinkageError(
        new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver"));
    assertTrue(later.contains("failed to load earlier"), later);
    NoClassDefFoundError wrapped = new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver");
    wrapped.initCause(new UnsatisfiedLinkError(NO_LIBCUDA));
    assertTrue(CudaProbe.describeLinkageError(wrapped).contains("libcuda.so.1"));
  }

  @Test
  void driverErrorCodes() {
    assertTrue(CudaProbe.describeDriverError(100).startsWith("no CUDA device is visible"));
    assertTrue(CudaProbe.describeDriverError(100).contains("CUDA_VISIBLE_DEVICES="));
    assertTrue(CudaProbe.describeDriverError(34).contains("stub library"));
    assertTrue(CudaProbe.describeDriverError(803).contains("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"));
    assertTrue(CudaProbe.describeDriverError(999).contains("CUDA_ERROR_UNKNOWN (999)"));
  }

  @Test
  void runtimeErrorCodes() {
    String insufficient = CudaProbe.describeRuntimeError(35);
    assertTrue(insufficient.startsWith("cudaErrorInsufficientDriver (35)") && insufficient.contains("CUDA 12.0"),
        insufficient);
    assertTrue(CudaProbe.describeRuntimeError(100).startsWith("cudaErrorNoDevice (100)"));
    assertTrue(CudaProbe.describeRuntimeError(34).startsWith("cudaErrorStubLibrary"));
  }

  @Test
  void driverVersions() {
    assertNull(CudaProbe.checkDriverVersion(12000));
    assertNull(CudaProbe.checkDriverVersion(12080));
    String old = CudaProbe.checkDriverVersion(11040);
    assertTrue(old.contains("CUDA 11.4") && old.contains("12.0") && old.contains("525.60.13"), old);
    assertEquals("12.4", CudaProbe.versionText(12040));
    assertEquals("11.8", CudaProbe.versionText(11080));
    assertEquals("13.0", CudaProbe.versionText(13000));
  }
}
