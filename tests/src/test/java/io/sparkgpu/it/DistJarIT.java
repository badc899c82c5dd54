package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar holds every class of spark-gpu-core and spark-gpu-ml and nothing that Spark ships (Spark, Scala,
 * Arrow and their dependencies). That it is enough on a cluster is shown by StandaloneClusterIT and
 * ExamplesSubmitIT, whose JVMs get spark-gpu from it alone.
 */
class DistJarIT {
  private static Set<String> classes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".class"))
          .map(p -> dir.relativize(p).toString().replace('\\', '/')).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void holdsOurClassesAndNothingSparkShips() throws IOException {
    Path jar = SparkInstall.distJar();
    Set<String> entries = new TreeSet<>();
    try (JarFile f = new JarFile(jar.toFile())) {
      f.stream().filter(e -> !e.isDirectory()).forEach(e -> entries.add(e.getName()));
    }
    Path root = jar.getParent().getParent().getParent();
    Set<String> ours = new TreeSet<>(classes(root.resolve(Paths.get("spark-gpu-core", "target", "classes"))));
    ours.addAll(classes(root.resolve(Paths.get("spark-gpu-ml", "target", "classes"))));
    assertTrue(ours.contains("io/sparkgpu/plugin/SparkGpuPlugin.class"), "compiled classes: " + ours.size());
    Set<String> missing = new TreeSet<>(ours);
    missing.removeAll(entries);
    assertEquals(Set.of(), missing, "classes of spark-gpu-core and spark-gpu-ml missing from " + jar);

    // Besides our classes: JCuda (classes and its Linux x86-64 natives under lib/), our kernel sources, metadata.
    assertTrue(entries.contains("jcuda/driver/JCudaDriver.class") && entries.contains("jcuda/jcublas/JCublas2.class"),
        "JCuda classes bundled");
    assertTrue(entries.stream().anyMatch(e -> e.startsWith("lib/libJCudaDriver-") && e.endsWith("linux-x86_64.so")),
        "JCuda's Linux natives bundled");
    List<String> foreign = entries.stream().filter(e -> !ours.contains(e) && !e.startsWith("META-INF/")
        && !e.startsWith("jcuda/") && !e.startsWith("lib/") && !e.startsWith("io/sparkgpu/kernels/")).toList();
    assertEquals(List.of(), foreign, "entries besides our classes, JCuda and our kernels in " + jar);
    for (String prefix : List.of("org/apache/spark/", "scala/", "org/apache/arrow/")) {
      assertTrue(entries.stream().noneMatch(e -> e.startsWith(prefix)), prefix + " must not be bundled");
    }
  }
}
