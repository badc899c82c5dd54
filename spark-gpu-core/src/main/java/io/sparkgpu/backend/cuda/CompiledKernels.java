package io.sparkgpu.backend.cuda;

import static io.sparkgpu.backend.cuda.CudaCallException.checkDriver;
import static io.sparkgpu.backend.cuda.CudaCallException.checkNvrtc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;
import jcuda.nvrtc.nvrtcResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend's kernels loaded into one CUDA context: each {@code .cu} resource compiled by NVRTC for the device's
 * architecture and loaded as a module. Owns the modules and unloads them on close; its owner is the
 * {@link CudaBackend} of that context, which closes it before releasing the context. The compiled images (bytes)
 * are kept per target for the life of the JVM, so a second context on the same kind of GPU compiles nothing.
 */
final class CompiledKernels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompiledKernels.class);
  private static final Map<NvrtcTarget, Map<String, byte[]>> IMAGES = new ConcurrentHashMap<>();

  private final List<CUmodule> modules;
  private final Map<Kernel, CUfunction> functions;
  private final NvrtcTarget target;

  private CompiledKernels(List<CUmodule> modules, Map<Kernel, CUfunction> functions, NvrtcTarget target) {
    this.modules = modules;
    this.functions = functions;
    this.target = target;
  }

  /** Compiles (or reuses) the images for {@code deviceArch} and loads them into the calling thread's context. */
  static CompiledKernels load(int deviceArch, String device) {
    NvrtcTarget target = NvrtcTarget.choose(deviceArch, supportedArchitectures());
    Map<String, byte[]> images = IMAGES.computeIfAbsent(target, t -> compileAll(t, device));
    List<CUmodule> modules = new ArrayList<>();
    Map<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    try {
      for (Map.Entry<String, byte[]> image : images.entrySet()) {
        CUmodule module = new CUmodule();
        checkDriver(JCudaDriver.cuModuleLoadData(module, image.getValue()), "cuModuleLoadData(" + image.getKey()
            + ", " + target.option() + ") on " + device);
        modules.add(module);
        for (Kernel k : Kernel.values()) {
          if (k.file.equals(image.getKey())) {
            CUfunction f = new CUfunction();
            checkDriver(JCudaDriver.cuModuleGetFunction(f, module, k.symbol), "cuModuleGetFunction(" + k.symbol
                + ")");
            functions.put(k, f);
          }
        }
      }
    } catch (RuntimeException e) {
      unloadAll(modules, e);
      throw e;
    }
    return new CompiledKernels(modules, functions, target);
  }

  CUfunction function(Kernel k) {
    CUfunction f = functions.get(k);
    if (f == null) {
      throw new IllegalStateException("Kernel " + k.symbol + " was not loaded");
    }
    return f;
  }

  NvrtcTarget target() {
    return target;
  }

  /** The architectures this NVRTC compiles for, or none when it cannot say (then the device's own is tried). */
  private static int[] supportedArchitectures() {
    int[] count = {0};
    if (JNvrtc.nvrtcGetNumSupportedArchs(count) != nvrtcResult.NVRTC_SUCCESS || count[0] <= 0) {
      return new int[0];
    }
    int[] archs = new int[count[0]];
    if (JNvrtc.nvrtcGetSupportedArchs(archs) != nvrtcResult.NVRTC_SUCCESS) {
      return new int[0];
    }
    return archs;
  }

  private static Map<String, byte[]> compileAll(NvrtcTarget target, String device) {
    long t0 = System.nanoTime();
    int[] major = {0};
    int[] minor = {0};
    JNvrtc.nvrtcVersion(major, minor);
    Map<String, byte[]> images = new LinkedHashMap<>();
    for (String file : KernelSource.files()) {
      images.put(file, compile(file, KernelSource.load(file), target));
    }
    LOG.info("Compiled {} kernel sources with NVRTC {}.{} for {} ({}, {}) in {} ms", images.size(), major[0],
        minor[0], device, target.option(), target.cubin() ? "machine code" : "PTX for the driver to JIT",
        (System.nanoTime() - t0) / 1_000_000);
    return images;
  }

  private static byte[] compile(String file, String source, NvrtcTarget target) {
    nvrtcProgram program = new nvrtcProgram();
    checkNvrtc(JNvrtc.nvrtcCreateProgram(program, source, file, 0, null, null), "nvrtcCreateProgram(" + file + ")");
    try {
      String[] options = {target.option()};
      int result = JNvrtc.nvrtcCompileProgram(program, options.length, options);
      String log = programLog(program);
      if (result != nvrtcResult.NVRTC_SUCCESS) {
        throw new IllegalStateException("NVRTC could not compile " + file + " with " + Arrays.toString(options)
            + ": " + nvrtcResult.stringFor(result) + "\n" + log);
      }
      if (!log.isBlank()) {
        LOG.warn("NVRTC reported for {}: {}", file, log.trim());
      }
      if (target.cubin()) {
        long[] size = {0};
        checkNvrtc(JNvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize(" + file + ")");
        byte[] cubin = new byte[Math.toIntExact(size[0])];
        checkNvrtc(JNvrtc.nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN(" + file + ")");
        return cubin;
      }
      String[] ptx = {null};
      checkNvrtc(JNvrtc.nvrtcGetPTX(program, ptx), "nvrtcGetPTX(" + file + ")");
      // cuModuleLoadData reads PTX as a NUL-terminated string.
      return (ptx[0] + '\0').getBytes(StandardCharsets.US_ASCII);
    } finally {
      JNvrtc.nvrtcDestroyProgram(program);
    }
  }

  private static String programLog(nvrtcProgram program) {
    String[] log = {""};
    if (JNvrtc.nvrtcGetProgramLog(program, log) != nvrtcResult.NVRTC_SUCCESS || log[0] == null) {
      return "";
    }
    return log[0];
  }

  private static void unloadAll(List<CUmodule> modules, RuntimeException failure) {
    for (CUmodule m : modules) {
      int r = JCudaDriver.cuModuleUnload(m);
      if (r != 0) {
        failure.addSuppressed(new CudaCallException("cuModuleUnload failed: " + r, r));
      }
    }
  }

  /** Unloads every module (the context must be current); reports the first failure with the others suppressed. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (CUmodule m : modules) {
      try {
        checkDriver(JCudaDriver.cuModuleUnload(m), "cuModuleUnload");
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    modules.clear();
    functions.clear();
    if (first != null) {
      throw first;
    }
  }
}
