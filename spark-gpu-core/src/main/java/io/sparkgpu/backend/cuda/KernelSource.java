package io.sparkgpu.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/** Reads the kernels' CUDA C sources from the classpath ({@code io/sparkgpu/kernels/*.cu}). Pure. */
final class KernelSource {
  static final String RESOURCE_DIR = "/io/sparkgpu/kernels/";

  private KernelSource() {}

  /** The {@code .cu} files that define the kernels the backend launches. */
  static Set<String> files() {
    Set<String> files = new TreeSet<>();
    for (Kernel k : Kernel.values()) {
      files.add(k.file);
    }
    return files;
  }

  static String load(String file) {
    String path = RESOURCE_DIR + file;
    try (InputStream in = KernelSource.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("The kernel source " + path + " is not on the classpath: the spark-gpu-core "
            + "jar is incomplete");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the kernel source " + path, e);
    }
  }
}
