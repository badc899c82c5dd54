package io.sparkgpu.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * A {@code java} child process of a test: its stdout and stderr go to files, waits are bounded, and {@link #close}
 * reaps it with its descendants (SIGTERM, then SIGKILL after a grace period). A shutdown hook reaps it too if the
 * test JVM exits first. Owned by the test that started it.
 */
final class ChildJvm implements AutoCloseable {
  private static final Duration GRACE = Duration.ofSeconds(10);

  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final Thread reaper;

  private ChildJvm(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.reaper = new Thread(this::kill, "reap " + name);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts {@code java jvmArgs mainClass args} in {@code dir}, with {@code env} added to this JVM's environment. */
  static ChildJvm start(String name, Path dir, List<String> jvmArgs, String mainClass, List<String> args,
      Map<String, String> env) throws IOException {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add(mainClass);
    cmd.addAll(args);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(env);
    return new ChildJvm(name, pb.start(), out, err);
  }

  String name() {
    return name;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  /** Waits at most {@code timeout} for the process to exit and returns its exit code; fails with the log on timeout. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
      throw new AssertionError(name + " did not finish within " + timeout.toSeconds() + " s; killed it.\n"
          + tail());
    }
    return process.exitValue();
  }

  /** Waits at most {@code timeout} until its stderr or stdout matches {@code pattern}; fails if it exits first. */
  void awaitLog(Pattern pattern, Duration timeout) throws InterruptedException {
    awaitCondition(() -> pattern.matcher(stderr()).find() || pattern.matcher(stdout()).find(),
        "log line /" + pattern + "/", timeout);
  }

  /** Waits at most {@code timeout} for {@code condition} while the process lives. */
  void awaitCondition(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before " + what + "\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + ": no " + what + " within " + timeout.toSeconds() + " s\n" + tail());
      }
      Thread.sleep(100);
    }
  }

  /** The last lines of both logs, for failure messages. */
  String tail() {
    return "--- " + stdout + " (last lines) ---\n" + lastLines(stdout(), 40) + "--- " + stderr
        + " (last lines) ---\n" + lastLines(stderr(), 60);
  }

  static String lastLines(String text, int n) {
    String[] lines = text.split("\n");
    StringBuilder sb = new StringBuilder();
    for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
      sb.append(lines[i]).append('\n');
    }
    return sb.toString();
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(could not read " + p + ": " + e + ")";
    }
  }

  /** SIGTERM to the process, SIGKILL to it and every descendant still alive after the grace period. */
  private void kill() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle d : descendants) {
      if (d.isAlive()) {
        d.destroyForcibly();
        d.onExit().orTimeout(GRACE.toMillis(), TimeUnit.MILLISECONDS).exceptionally(t -> d).join();
      }
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook runs (harmlessly) anyway.
    }
  }
}
