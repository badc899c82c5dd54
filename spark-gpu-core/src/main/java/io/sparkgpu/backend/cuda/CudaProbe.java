package io.sparkgpu.backend.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.nvrtc.JNvrtc;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out once per JVM whether CUDA can be used here: the driver library (libcuda.so.1) loads and initialises, it
 * supports CUDA 12.0 or newer, at least one device is visible, and the CUDA 12 libraries that JCuda binds (NVRTC,
 * cuBLAS) load. Every failure, whether a native library that does not load ({@link UnsatisfiedLinkError}) or a CUDA
 * error code, becomes one sentence saying what is missing and what to change. Owns nothing: the probe keeps no
 * context open.
 */
public final class CudaProbe {
  private static final Logger LOG = LoggerFactory.getLogger(CudaProbe.class);

  /** The oldest driver CUDA version JCuda 12.0.0 works with (cuDriverGetVersion's encoding: 12.0 is 12000). */
  public static final int MIN_DRIVER_VERSION = 12000;
  /** The Linux driver that first supports CUDA 12.0. */
  static final String MIN_LINUX_DRIVER = "525.60.13";

  private static final Pattern MISSING_LIBRARY =
      Pattern.compile("([A-Za-z0-9_.+-]+\\.so(?:\\.[0-9]+)*): cannot open shared object file");
  private static final Pattern UNDEFINED_SYMBOL = Pattern.compile("undefined symbol: ?(\\S+)");

  private static CudaAvailability cached;

  private CudaProbe() {}

  /** The probe's result, computed on first use and then the same for the life of the JVM. */
  public static synchronized CudaAvailability availability() {
    if (cached == null) {
      cached = probe();
      LOG.info("CUDA {}: {}", cached.usable() ? "available" : "not usable", cached.description());
    }
    return cached;
  }

  private static CudaAvailability probe() {
    int[] version = {0};
    int[] count = {0};
    try {
      int r = JCudaDriver.cuInit(0);
      if (r != CUresult.CUDA_SUCCESS) {
        return CudaAvailability.unusable(describeDriverError(r));
      }
      r = JCudaDriver.cuDriverGetVersion(version);
      if (r != CUresult.CUDA_SUCCESS) {
        return CudaAvailability.unusable(describeDriverError(r));
      }
      String tooOld = checkDriverVersion(version[0]);
      if (tooOld != null) {
        return CudaAvailability.unusable(tooOld);
      }
      r = JCudaDriver.cuDeviceGetCount(count);
      if (r != CUresult.CUDA_SUCCESS) {
        return CudaAvailability.unusable(describeDriverError(r));
      }
      if (count[0] == 0) {
        return CudaAvailability.unusable(describeDriverError(CUresult.CUDA_ERROR_NO_DEVICE));
      }
    } catch (LinkageError e) {
      return CudaAvailability.unusable(describeLinkageError(e) + runtimeApiNote());
    }
    int[] major = {0};
    int[] minor = {0};
    try {
      JNvrtc.nvrtcVersion(major, minor);
    } catch (LinkageError e) {
      return CudaAvailability.unusable(describeLinkageError(e));
    }
    try {
      JCublas2.initialize();
    } catch (LinkageError e) {
      return CudaAvailability.unusable(describeLinkageError(e));
    }
    return new CudaAvailability(true, count[0], version[0], count[0] + " CUDA device(s), driver for CUDA "
        + versionText(version[0]) + ", NVRTC " + major[0] + "." + minor[0]);
  }

  /**
   * When the driver API cannot load, the CUDA runtime (linked statically into JCuda, so it loads without a driver)
   * still tells why in its own words, e.g. cudaErrorInsufficientDriver.
   */
  private static String runtimeApiNote() {
    try {
      int r = JCuda.cudaGetDeviceCount(new int[1]);
      return r == cudaError.cudaSuccess ? "" : " (the CUDA runtime reports " + describeRuntimeError(r) + ")";
    } catch (LinkageError e) {
      return "";
    }
  }

  /** One sentence for a native library that did not load (UnsatisfiedLinkError and its later NoClassDefFoundError). */
  static String describeLinkageError(Throwable e) {
    String text = fullText(e);
    Matcher missing = MISSING_LIBRARY.matcher(text);
    if (missing.find()) {
      return describeMissingLibrary(missing.group(1));
    }
    Matcher symbol = UNDEFINED_SYMBOL.matcher(text);
    if (symbol.find()) {
      return "the NVIDIA driver or the CUDA libraries are older than JCuda 12.0.0 needs (undefined symbol "
          + symbol.group(1) + "): install NVIDIA driver " + MIN_LINUX_DRIVER + " or newer and CUDA 12.x libraries";
    }
    if (e instanceof NoClassDefFoundError) {
      return "a JCuda native library failed to load earlier in this JVM (" + firstLine(e.getMessage()) + ")";
    }
    return "a JCuda native library could not be loaded: " + firstLine(e.getMessage());
  }

  static String describeMissingLibrary(String library) {
    if (library.startsWith("libcuda.so")) {
      return "the NVIDIA driver library " + library + " cannot be loaded: this host has no NVIDIA driver, or the "
          + "driver's library directory is not on the library path (LD_LIBRARY_PATH)";
    }
    if (library.startsWith("libcublas")) {
      return "the CUDA 12 library " + library + " (cuBLAS) cannot be loaded: install CUDA 12.x cuBLAS (CUDA "
          + "Toolkit 12.x, or pip package nvidia-cublas-cu12) and put its lib directory on LD_LIBRARY_PATH";
    }
    if (library.startsWith("libnvrtc")) {
      return "the CUDA 12 library " + library + " (NVRTC, the run-time kernel compiler) cannot be loaded: install "
          + "CUDA 12.x NVRTC (CUDA Toolkit 12.x, or pip package nvidia-cuda-nvrtc-cu12) and put its lib directory "
          + "on LD_LIBRARY_PATH";
    }
    return "the library " + library + " that JCuda needs cannot be loaded: put its directory on LD_LIBRARY_PATH";
  }

  /** A CUresult from cuInit or a device query, as a reason. */
  static String describeDriverError(int code) {
    switch (code) {
      case CUresult.CUDA_ERROR_NO_DEVICE:
        return "no CUDA device is visible to this process (CUDA_ERROR_NO_DEVICE; CUDA_VISIBLE_DEVICES="
            + System.getenv("CUDA_VISIBLE_DEVICES") + ")";
      case CUresult.CUDA_ERROR_STUB_LIBRARY:
        return "libcuda.so.1 is the CUDA toolkit's stub library, not the NVIDIA driver (CUDA_ERROR_STUB_LIBRARY): "
            + "remove the toolkit's lib64/stubs directory from LD_LIBRARY_PATH";
      case CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH:
        return "the NVIDIA kernel module and libcuda.so.1 are different versions "
            + "(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH): reload the driver or reboot the host";
      case CUresult.CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE:
        return "the CUDA forward-compatibility driver does not support this GPU "
            + "(CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE): install a native driver for CUDA 12.0 or newer";
      default:
        return "the CUDA driver failed to initialise: " + CUresult.stringFor(code) + " (" + code + ")";
    }
  }

  /** A cudaError of the runtime API, as a short phrase. */
  static String describeRuntimeError(int code) {
    switch (code) {
      case cudaError.cudaErrorInsufficientDriver:
        return "cudaErrorInsufficientDriver (" + code + "): the NVIDIA driver is missing or older than CUDA 12.0";
      case cudaError.cudaErrorNoDevice:
        return "cudaErrorNoDevice (" + code + "): no CUDA device is visible";
      case cudaError.cudaErrorStubLibrary:
        return "cudaErrorStubLibrary (" + code + "): libcuda.so.1 is the toolkit's stub, not the driver";
      case cudaError.cudaErrorSystemDriverMismatch:
        return "cudaErrorSystemDriverMismatch (" + code + "): the kernel module and libcuda.so.1 differ";
      default:
        return cudaError.stringFor(code) + " (" + code + ")";
    }
  }

  /** The reason a driver is too old, or null when it supports CUDA 12.0 or newer. */
  static String checkDriverVersion(int driverVersion) {
    if (driverVersion >= MIN_DRIVER_VERSION) {
      return null;
    }
    return "the NVIDIA driver supports CUDA " + versionText(driverVersion) + " but JCuda 12.0.0 needs CUDA 12.0 or "
        + "newer (cudaErrorInsufficientDriver): install NVIDIA driver " + MIN_LINUX_DRIVER + " or newer";
  }

  /** 12040 -> "12.4", cuDriverGetVersion's encoding (1000 * major + 10 * minor). */
  static String versionText(int version) {
    return version / 1000 + "." + (version % 1000) / 10;
  }

  private static String fullText(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append('\n');
    }
    return b.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s.trim() : s.substring(0, nl).trim();
  }
}
