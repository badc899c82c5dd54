package io.sparkgpu.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkgpu.plugin.PluginConfig;
import io.sparkgpu.plugin.SparkGpuPlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files in conf/: the GPU discovery script, run with a fake {@code nvidia-smi} (or none) as the only command on
 * its PATH, prints the resource JSON Spark expects; the spark-defaults template names our plugin, our jar and our
 * settings as the code declares them.
 */
class ConfDirectoryTest {
  private static final String QUERY = "--query-gpu=index --format=csv,noheader";

  @TempDir
  Path tmp;

  private static Path conf(String name) {
    Path p = Paths.get(System.getProperty("sparkgpu.conf.dir", "../conf")).resolve(name);
    assertTrue(Files.isRegularFile(p), "missing " + p.toAbsolutePath());
    return p;
  }

  /** Runs the discovery script with only {@code bin} on the PATH and returns its stdout. */
  private static String discover(Path bin) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", conf("getGpusResources.sh").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("PATH", bin.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the discovery script did not finish in 30 s");
    assertEquals(0, p.exitValue(), "exit code of the discovery script; output: " + out);
    return out;
  }

  /** A bin directory whose nvidia-smi prints {@code stdout} and exits with {@code exit} for the expected query. */
  private Path fakeNvidiaSmi(String name, String stdout, int exit) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve(name));
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/bash\n"
        + "if [ \"$*\" != \"" + QUERY + "\" ]; then echo \"unexpected arguments: $*\" >&2; exit 64; fi\n"
        + "printf '" + stdout + "'\n"
        + "exit " + exit + "\n");
    assertTrue(smi.toFile().setExecutable(true));
    return bin;
  }

  /** The addresses in the script's JSON, checked with Jackson and with Spark's own parser. */
  private static List<String> addresses(String json) throws IOException {
    JsonNode node = new ObjectMapper().readTree(json);
    assertEquals("gpu", node.get("name").asText(), json);
    List<String> addresses = new ArrayList<>();
    node.get("addresses").forEach(a -> addresses.add(a.asText()));
    ResourceInformation spark = ResourceInformation.parseJson(json);
    assertEquals("gpu", spark.name());
    assertEquals(addresses, List.of(spark.addresses()), "Spark's reading of " + json);
    return addresses;
  }

  @Test
  void discoveryListsEveryGpuThatNvidiaSmiReports() throws Exception {
    assertEquals(List.of(), addresses(discover(fakeNvidiaSmi("zero", "", 0))));
    assertEquals(List.of("0"), addresses(discover(fakeNvidiaSmi("one", "0\\n", 0))));
    assertEquals(List.of("0", "1"), addresses(discover(fakeNvidiaSmi("two", "0\\n1\\n", 0))));
  }

  @Test
  void discoveryPrintsAnEmptyListWithoutAWorkingNvidiaSmi() throws Exception {
    assertEquals(List.of(), addresses(discover(Files.createDirectories(tmp.resolve("empty")))), "no nvidia-smi");
    assertEquals(List.of(), addresses(discover(fakeNvidiaSmi("failing",
        "NVIDIA-SMI has failed because it couldn'\\''t communicate with the NVIDIA driver.\\n", 9))),
        "nvidia-smi without a driver");
    assertEquals(List.of(), addresses(discover(fakeNvidiaSmi("none", "No devices were found\\n", 6))),
        "nvidia-smi without devices");
  }

  /** The template's settings (key, value), uncommented ones and "#key value" examples alike. */
  private static Map<String, String> templateSettings() throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    Pattern line = Pattern.compile("^#?(spark\\.[A-Za-z0-9.]+)\\s+(\\S+)\\s*$");
    for (String l : Files.readAllLines(conf("spark-defaults.conf.template"))) {
      Matcher m = line.matcher(l);
      if (m.matches()) {
        settings.put(m.group(1), m.group(2));
      }
    }
    return settings;
  }

  @Test
  void theTemplateNamesOurPluginJarScriptAndSettings() throws Exception {
    Map<String, String> s = templateSettings();
    Class<?> plugin = Class.forName(s.get("spark.plugins"));
    assertEquals(SparkGpuPlugin.class, plugin);
    assertTrue(SparkPlugin.class.isAssignableFrom(plugin));
    assertEquals("spark-gpu-ml-" + System.getProperty("sparkgpu.version") + "-dist.jar",
        Paths.get(s.get("spark.jars")).getFileName().toString(), "the shaded jar's name");
    assertEquals("getGpusResources.sh",
        Paths.get(s.get("spark.executor.resource.gpu.discoveryScript")).getFileName().toString());
    assertEquals("1", s.get("spark.executor.resource.gpu.amount"), "one GPU per executor");
    assertEquals(1.0, Double.parseDouble(s.get("spark.task.resource.gpu.amount"))
        * Integer.parseInt(s.get("spark.executor.cores")), 1e-12, "the executor's tasks share its one GPU");

    // Comment lines joined: the documentation of each key, as PluginConfig declares it.
    String template = Files.readString(conf("spark-defaults.conf.template")).replaceAll("\\s*\\n#\\s*", " ");
    List<String> ours = s.keySet().stream().filter(k -> k.startsWith("spark.sparkgpu.")).toList();
    assertEquals(PluginConfig.all().stream().map(PluginConfig.Key::name).toList(), ours,
        "spark.sparkgpu.* keys in the template vs PluginConfig");
    for (PluginConfig.Key<?> key : PluginConfig.all()) {
      assertTrue(template.contains(key.name() + ": " + key.doc()),
          key.name() + " is not documented in the template as in PluginConfig: " + key.doc());
      key.parse().apply(s.get(key.name()));
    }
  }
}
