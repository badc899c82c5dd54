package io.sparkgpu.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on 127.0.0.1 made of separate JVMs started from Spark's jars: a Master and
 * {@code workers} Workers with 2 cores and 2 GiB each. Worker i (from 0) has one fake GPU, address i, found by the
 * repository's {@code conf/getGpusResources.sh} through a fake {@code nvidia-smi} on its PATH. Start-up is bounded;
 * {@link #close} stops the Workers, then the Master, and reaps every process they started (executors included).
 */
final class StandaloneCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern EXECUTOR_ID = Pattern.compile("--executor-id\\s+(\\S+)");

  private final Path dir;
  private final int port;
  private final List<ChildJvm> processes = new ArrayList<>();
  private final List<ChildJvm> workers = new ArrayList<>();
  private final List<Path> workDirs = new ArrayList<>();

  private StandaloneCluster(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts the Master and the Workers without waiting; {@link #awaitReady} waits. */
  static StandaloneCluster start(Path dir, int workers) throws IOException {
    StandaloneCluster c = new StandaloneCluster(dir, freePort());
    try {
      c.launch(workers);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private List<String> jvm(String... extra) {
    List<String> jvm = SparkInstall.jvmOptions();
    jvm.add("-Xmx512m");
    jvm.add("-Dlog4j2.configurationFile=" + SparkInstall.log4jConfig());
    jvm.addAll(List.of(extra));
    jvm.add("-cp");
    jvm.add(SparkInstall.sparkClasspath());
    return jvm;
  }

  private void launch(int count) throws IOException {
    Map<String, String> env = SparkInstall.environment(dir.resolve("spark-home"));
    processes.add(ChildJvm.start("master", dir, jvm("-Dspark.master.rest.enabled=false"),
        "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", "0"), env));
    Path script = SparkInstall.confDir().resolve("getGpusResources.sh");
    for (int i = 0; i < count; i++) {
      Path fakeBin = Files.createDirectories(dir.resolve("fake-bin-" + i));
      Path smi = fakeBin.resolve("nvidia-smi");
      Files.writeString(smi, "#!/bin/bash\necho " + i + "\n");
      smi.toFile().setExecutable(true);
      Path work = Files.createDirectories(dir.resolve("worker-" + i));
      workDirs.add(work);
      Map<String, String> workerEnv = new HashMap<>(env);
      workerEnv.put("SPARK_DIST_CLASSPATH", SparkInstall.sparkClasspath());
      workerEnv.put("PATH", fakeBin + java.io.File.pathSeparator + System.getenv("PATH"));
      ChildJvm w = ChildJvm.start("worker-" + i, dir,
          jvm("-Dspark.worker.resource.gpu.amount=1", "-Dspark.worker.resource.gpu.discoveryScript=" + script),
          "org.apache.spark.deploy.worker.Worker",
          List.of("--host", "127.0.0.1", "--webui-port", "0", "--cores", "2", "--memory", "2g", "--work-dir",
              work.toString(), masterUrl()), workerEnv);
      processes.add(w);
      workers.add(w);
    }
  }

  /** Waits for the Master to lead and every Worker to register. */
  void awaitReady() throws InterruptedException {
    processes.get(0).awaitLog(Pattern.compile("I have been elected leader"), START_TIMEOUT);
    for (ChildJvm w : workers) {
      w.awaitLog(Pattern.compile("Successfully registered with master"), START_TIMEOUT);
    }
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + port;
  }

  /** The executor process with Spark id {@code executorId}, among the Workers' children. */
  Optional<ProcessHandle> executorProcess(String executorId) {
    for (ChildJvm w : workers) {
      for (ProcessHandle p : w.handle().descendants().toList()) {
        String cmd = commandLine(p);
        Matcher m = EXECUTOR_ID.matcher(cmd);
        if (cmd.contains("CoarseGrainedExecutorBackend") && m.find() && m.group(1).equals(executorId)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The full command line of {@code p}, read from /proc (Linux): ProcessHandle.Info truncates the executors'
   * command lines, whose class path runs to tens of kilobytes.
   */
  private static String commandLine(ProcessHandle p) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
      return new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return p.info().commandLine().orElse(""); // exited, or not Linux
    }
  }

  /** The file {@code name} in the directory of every executor the Workers launched for {@code appId}, by id. */
  Map<String, Path> executorFiles(String appId, String name) throws IOException {
    Map<String, Path> logs = new HashMap<>();
    for (Path work : workDirs) {
      Path app = work.resolve(appId);
      if (Files.isDirectory(app)) {
        try (var dirs = Files.list(app)) {
          dirs.filter(Files::isDirectory).forEach(d -> logs.put(d.getFileName().toString(), d.resolve(name)));
        }
      }
    }
    return logs;
  }

  /** The last lines of every process's logs, for failure messages. */
  String tails() {
    StringBuilder sb = new StringBuilder();
    for (ChildJvm p : processes) {
      sb.append(p.tail());
    }
    return sb.toString();
  }

  /** Workers first (their executors die with them), then the Master; every process reaped. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }
}
