package io.sparkgpu.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What the figures were measured on: CPU, cores, memory, JVM and its flags, the commit. */
final class Machine {
  private Machine() {}

  static String describe() {
    return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB RAM; %s %s, heap -Xms %.1f GiB -Xmx %.1f GiB%s%s; Spark %s local[2]",
        cpuModel(), Runtime.getRuntime().availableProcessors(), memTotalGiB(), System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit() / (double) (1L << 30),
        Runtime.getRuntime().maxMemory() / (double) (1L << 30),
        ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch") ? " pre-touched" : "",
        gcName(), org.apache.spark.package$.MODULE$.SPARK_VERSION());
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: fall through.
    }
    return System.getProperty("os.arch");
  }

  static double memTotalGiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / (1024.0 * 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    return Double.NaN;
  }

  private static String gcName() {
    List<java.lang.management.GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    return gcs.isEmpty() ? "" : ", GC " + gcs.get(gcs.size() - 1).getName();
  }

  /** The checked-out commit (short hash, "+dirty" when tracked source files have changes), or "unknown". */
  static String commit() {
    try {
      String head = run("git", "rev-parse", "--short", "HEAD");
      // The report and its results are this runner's own output: changes to them do not make the code dirty.
      String status = run("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!BENCHMARKS.md",
          ":!docs/benchmarks");
      return head + (status.isEmpty() ? "" : "+dirty");
    } catch (IOException | InterruptedException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return out;
  }
}
