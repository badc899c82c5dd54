package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.Loss;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel sources as the backend loads them from the classpath, checked against what the Java code launches:
 * every kernel exists with exactly the parameter kinds the launch passes, every constant the Java code shares with the
 * kernels has the same value, and the sources compile alone (no #include), as NVRTC needs.
 */
class KernelSourceTest {
  private static final Pattern KERNEL =
      Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)", Pattern.DOTALL);
  private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include", Pattern.MULTILINE);
  private static final Pattern DEFINE = Pattern.compile("^#define\\s+(\\w+)\\s+(-?\\d+)\\s*$", Pattern.MULTILINE);

  /** symbol -> parameter kinds, from every source. */
  private static Map<String, List<Kernel.ArgKind>> declaredKernels() {
    Map<String, List<Kernel.ArgKind>> kernels = new HashMap<>();
    for (String file : KernelSource.files()) {
      Matcher m = KERNEL.matcher(KernelSource.load(file));
      while (m.find()) {
        List<Kernel.ArgKind> kinds = new ArrayList<>();
        for (String param : m.group(2).split(",")) {
          kinds.add(kindOf(param.trim(), m.group(1)));
        }
        if (kernels.put(m.group(1), kinds) != null) {
          fail("Kernel " + m.group(1) + " is defined twice");
        }
      }
    }
    return kernels;
  }

  /** The kind of a C parameter declaration such as "const float* z" or "long long n". */
  private static Kernel.ArgKind kindOf(String param, String kernel) {
    String type = param.replaceAll("\\s*\\b\\w+$", "").replace("const ", "").replaceAll("\\s+", " ").trim();
    if (type.endsWith("*")) {
      return Kernel.ArgKind.POINTER;
    }
    switch (type) {
      case "int":
        return Kernel.ArgKind.INT;
      case "long long":
        return Kernel.ArgKind.LONG;
      case "float":
        return Kernel.ArgKind.FLOAT;
      default:
        throw new AssertionError("Kernel " + kernel + " has a parameter '" + param + "' of a type the launch "
            + "cannot pass");
    }
  }

  private static Map<String, Integer> defines(String file) {
    Map<String, Integer> d = new HashMap<>();
    Matcher m = DEFINE.matcher(KernelSource.load(file));
    while (m.find()) {
      d.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    return d;
  }

  @Test
  void everyLaunchedKernelExistsWithTheParametersTheLaunchPasses() {
    Map<String, List<Kernel.ArgKind>> declared = declaredKernels();
    for (Kernel k : Kernel.values()) {
      assertTrue(declared.containsKey(k.symbol), k.symbol + " is not defined in " + k.file);
      assertTrue(KERNEL.matcher(KernelSource.load(k.file)).results().anyMatch(r -> r.group(1).equals(k.symbol)),
          k.symbol + " is not in " + k.file);
      assertEquals(k.params, declared.get(k.symbol), "parameters of " + k.symbol);
    }
  }

  @Test
  void everyKernelInTheSourcesIsLaunched() {
    Set<String> launched = Stream.of(Kernel.values()).map(k -> k.symbol).collect(Collectors.toSet());
    assertEquals(new TreeSet<>(launched), new TreeSet<>(declaredKernels().keySet()));
  }

  @Test
  void everyKernelFileOnTheClasspathIsLoadedAndStandsAlone() throws Exception {
    URL dir = KernelSourceTest.class.getResource(KernelSource.RESOURCE_DIR);
    assertTrue(dir != null && dir.getProtocol().equals("file"), "kernel directory on the test classpath: " + dir);
    Set<String> onDisk;
    try (Stream<Path> files = Files.list(Paths.get(dir.toURI()))) {
      onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(onDisk, KernelSource.files(), "every .cu is used and every used .cu exists");
    for (String file : onDisk) {
      assertFalse(INCLUDE.matcher(KernelSource.load(file)).find(), file + " must compile alone under NVRTC");
    }
  }

  @Test
  void sharedConstantsAgree() {
    Map<String, Integer> elementwise = defines("elementwise.cu");
    for (Activation a : Activation.values()) {
      assertEquals(CudaBackend.activationCode(a), elementwise.get("SG_ACT_" + a.name()), "code of " + a);
    }
    Map<String, Integer> reductions = defines("reductions.cu");
    for (Loss l : Loss.values()) {
      assertEquals(CudaBackend.lossCode(l), reductions.get("SG_LOSS_" + l.name()), "code of " + l);
    }
    assertEquals(LaunchShape.BLOCK, reductions.get("SG_REDUCE_BLOCK"), "threads per block of the reductions");
  }

  @Test
  void aMissingSourceIsAClearError() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelSource.load("absent.cu"));
    assertTrue(e.getMessage().contains("/io/sparkgpu/kernels/absent.cu"), e.getMessage());
  }

  @Test
  void launchesCheckTheirArguments() {
    KernelArgs args = new KernelArgs().pointer(new jcuda.driver.CUdeviceptr()).i64(10).f32(0.5f);
    Kernel.SCALE.checkArguments(args.kinds());
    assertEquals(3, args.kinds().size());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Kernel.SCALE.checkArguments(new KernelArgs().pointer(new jcuda.driver.CUdeviceptr()).i32(10)
            .f32(0.5f).kinds()));
    assertTrue(e.getMessage().contains("sg_scale") && e.getMessage().contains("[POINTER, INT, FLOAT]"),
        e.getMessage());
  }
}
