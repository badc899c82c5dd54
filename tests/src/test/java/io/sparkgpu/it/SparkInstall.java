package io.sparkgpu.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Spark 4.1 installation gives the integration tests, made from the build: Spark's jars (the provided-scope
 * classpath Maven resolved, without any spark-gpu classes), the JVM options Spark needs on Java 17, a SPARK_HOME
 * with an empty {@code jars/}, and spark-gpu's packaged jars. The failsafe configuration in tests/pom.xml sets the
 * system properties read here; outside {@code mvn verify} they are missing and the tests say so.
 */
final class SparkInstall {
  private SparkInstall() {}

  private static String property(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isEmpty() || v.startsWith("${")) {
      throw new IllegalStateException("System property " + name + " is not set: run the integration tests through "
          + "Maven's failsafe plugin (mvn verify), which sets it from tests/pom.xml");
    }
    return v;
  }

  /** Spark's jars, as a class path. */
  static String sparkClasspath() {
    String cp = property("sparkgpu.spark.classpath");
    for (String entry : cp.split(File.pathSeparator)) {
      if (entry.contains("spark-gpu")) {
        throw new IllegalStateException("Spark's class path must not hold spark-gpu classes but has " + entry);
      }
    }
    return cp;
  }

  /** The JVM options of the parent pom's spark.jvm.options. */
  static List<String> jvmOptions() {
    return new ArrayList<>(Arrays.asList(property("sparkgpu.jvm.options").trim().split("\\s+")));
  }

  static Path distJar() {
    return existing(property("sparkgpu.dist.jar"), "the shaded jar (built by spark-gpu-ml's package phase)");
  }

  static Path examplesJar() {
    return existing(property("sparkgpu.examples.jar"), "the examples jar (built by examples' package phase)");
  }

  static Path confDir() {
    return existing(property("sparkgpu.conf.dir"), "the repository's conf/ directory");
  }

  /** A fresh directory for one test's files, under tests/target/it. */
  static Path workDir(String name) throws IOException {
    Path dir = Paths.get(property("sparkgpu.it.dir")).toAbsolutePath().resolve(name + "-" + System.nanoTime());
    return Files.createDirectories(dir);
  }

  /** A log4j2 configuration for child JVMs: spark-gpu and Spark's deploy classes at INFO, the rest at WARN. */
  static Path log4jConfig() {
    return resource("log4j2-child.properties");
  }

  /** The log4j2 configuration of executors: also to spark-gpu-executor.log in the executor's directory. */
  static Path executorLog4jConfig() {
    return resource("log4j2-executor.properties");
  }

  private static Path resource(String name) {
    java.net.URL url = SparkInstall.class.getResource("/" + name);
    if (url == null) {
      throw new IllegalStateException(name + " is not on the test class path");
    }
    try {
      return Paths.get(url.toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("Unexpected resource URL " + url, e);
    }
  }

  /** The environment of Spark processes: SPARK_HOME (with an empty jars/), Scala version, loopback address. */
  static Map<String, String> environment(Path sparkHome) throws IOException {
    Files.createDirectories(sparkHome.resolve("jars"));
    Map<String, String> env = new HashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    return env;
  }

  private static Path existing(String path, String what) {
    Path p = Paths.get(path).toAbsolutePath();
    if (!Files.exists(p)) {
      throw new IllegalStateException(what + " is missing at " + p + "; run mvn verify from the repository root");
    }
    return p;
  }
}
