package io.sparkgpu.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU seconds of this JVM's threads, by thread name with digits folded ("GC Thread#0" and "GC Thread#1" count as one),
 * read from Linux's {@code /proc/self/task}: it sees the threads that {@code ThreadMXBean} does not (JIT compilers,
 * GC workers). Threads that ended between two snapshots are not counted. Empty where there is no {@code /proc}.
 * Beside them, the machine's steal time from {@code /proc/stat}: the time the hypervisor ran something else while
 * this virtual machine had work for a CPU. Timed fits use it to show what else held a core.
 */
final class ThreadCpuSnapshot {
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final Path STAT = Path.of("/proc/stat");
  private static final double TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on
  private final Map<String, Double> seconds;
  /** The machine's steal ticks, or -1 where {@code /proc/stat} cannot be read. */
  private final long stealTicks;

  private ThreadCpuSnapshot(Map<String, Double> seconds) {
    this.seconds = seconds;
    this.stealTicks = machineStealTicks();
  }

  private static long machineStealTicks() {
    try (java.io.BufferedReader r = Files.newBufferedReader(STAT)) {
      return stealTicks(r.readLine());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The steal time of {@code /proc/stat}'s machine-wide "cpu" line, in clock ticks: its 8th value. */
  static long stealTicks(String cpuLine) {
    String[] f = cpuLine.trim().split("\\s+");
    if (!f[0].equals("cpu") || f.length < 9) {
      throw new IllegalArgumentException("Not the machine-wide cpu line of /proc/stat: " + cpuLine);
    }
    return Long.parseLong(f[8]);
  }

  static ThreadCpuSnapshot take() {
    Map<String, Double> out = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return new ThreadCpuSnapshot(out);
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path t : tasks) {
        try {
          String name = Files.readString(t.resolve("comm")).trim();
          out.merge(foldDigits(name), ticks(Files.readString(t.resolve("stat"))) / TICKS_PER_SECOND, Double::sum);
        } catch (IOException | RuntimeException e) {
          // The thread ended between listing and reading: it is left out.
        }
      }
    } catch (IOException e) {
      return new ThreadCpuSnapshot(out);
    }
    return new ThreadCpuSnapshot(out);
  }

  /** utime + stime of one {@code /proc/<pid>/task/<tid>/stat} line, in clock ticks. */
  static long ticks(String statLine) {
    // The name field (2) is in parentheses and may hold spaces; fields after it are space-separated, utime is 14th.
    String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static String foldDigits(String threadName) {
    return threadName.replaceAll("[0-9]+", "N");
  }

  /**
   * The {@code top} thread groups by CPU seconds since {@code before}, then the machine's steal time, e.g. "Executor
   * task l 2.10 s, C2 CompilerThre 0.41 s; steal 0.03 s" (Linux truncates thread names to 15 characters).
   */
  String busiestSince(ThreadCpuSnapshot before, int top) {
    List<Map.Entry<String, Double>> used = seconds.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.seconds.getOrDefault(e.getKey(), 0.0)))
        .filter(e -> e.getValue() > 0).sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(top)
        .collect(Collectors.toList());
    String threads = used.stream().map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
    if (stealTicks < 0 || before.stealTicks < 0) {
      return threads;
    }
    return threads + String.format(Locale.ROOT, "; steal %.2f s", (stealTicks - before.stealTicks) / TICKS_PER_SECOND);
  }
}
