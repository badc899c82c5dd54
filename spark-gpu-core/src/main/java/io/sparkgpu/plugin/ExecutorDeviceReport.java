package io.sparkgpu.plugin;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an executor tells the driver about its device once its plugin has started: its id and host, the GPU address
 * Spark assigned it (null when none), the backend it prepared, and why. Travels as a {@code HashMap<String, String>}
 * so that the driver can read it whichever class loader holds spark-gpu's classes ({@code --jars}).
 */
public record ExecutorDeviceReport(String executorId, String host, String gpuAddress, String backend, String note) {
  static final String TYPE = "io.sparkgpu.plugin.ExecutorDeviceReport";

  public Optional<String> gpu() {
    return Optional.ofNullable(gpuAddress);
  }

  /** The message sent through {@code PluginContext.send}. */
  public HashMap<String, String> toMessage() {
    HashMap<String, String> m = new HashMap<>();
    m.put("type", TYPE);
    m.put("executorId", executorId);
    m.put("host", host);
    if (gpuAddress != null) {
      m.put("gpuAddress", gpuAddress);
    }
    m.put("backend", backend);
    m.put("note", note);
    return m;
  }

  /** The report carried by {@code message}, empty when it is not one. */
  public static Optional<ExecutorDeviceReport> fromMessage(Object message) {
    if (!(message instanceof Map<?, ?> m) || !TYPE.equals(m.get("type"))) {
      return Optional.empty();
    }
    return Optional.of(new ExecutorDeviceReport(str(m, "executorId"), str(m, "host"), str(m, "gpuAddress"),
        str(m, "backend"), str(m, "note")));
  }

  private static String str(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }

  /** One line for logs: "executor 1 on host-a: GPU 0, backend cpu (note)". */
  public String describe() {
    return "executor " + executorId + " on " + host + ": " + (gpuAddress == null ? "no GPU" : "GPU " + gpuAddress)
        + ", backend " + backend + " (" + note + ")";
  }
}
