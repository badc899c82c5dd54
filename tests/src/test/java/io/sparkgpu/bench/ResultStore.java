package io.sparkgpu.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The measured figures of every benchmark section, kept in one sorted {@code key = value} text file so that running
 * one section updates its own keys and leaves the others' figures (and their commands) in place. The report is
 * rendered from this file alone.
 */
final class ResultStore {
  private final Path file;
  private final TreeMap<String, String> values = new TreeMap<>();

  ResultStore(Path file) {
    this.file = file;
    if (Files.isRegularFile(file)) {
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          int eq = line.indexOf(" = ");
          if (!line.startsWith("#") && eq > 0) {
            values.put(line.substring(0, eq), line.substring(eq + 3));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Forgets every key under {@code prefix} (a section about to be measured again). */
  void clear(String prefix) {
    values.keySet().removeIf(k -> k.startsWith(prefix));
  }

  void put(String key, String value) {
    values.put(key, value.replace('\n', ' '));
  }

  void put(String key, double value) {
    put(key, Double.toString(value));
  }

  void put(String key, long value) {
    put(key, Long.toString(value));
  }

  String get(String key) {
    return values.get(key);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  double num(String key) {
    String v = values.get(key);
    return v == null ? Double.NaN : Double.parseDouble(v);
  }

  /** Keys directly under {@code prefix} up to the next dot, in order. */
  List<String> children(String prefix) {
    List<String> out = new ArrayList<>();
    for (String k : values.keySet()) {
      if (k.startsWith(prefix)) {
        String rest = k.substring(prefix.length());
        int dot = rest.indexOf('.');
        String child = dot < 0 ? rest : rest.substring(0, dot);
        if (!out.contains(child)) {
          out.add(child);
        }
      }
    }
    return out;
  }

  Map<String, String> all() {
    return new TreeMap<>(values);
  }

  void save() {
    StringBuilder sb = new StringBuilder("# Benchmark results written by io.sparkgpu.bench.BenchmarkRunner; "
        + "BENCHMARKS.md is rendered from this file.\n");
    for (Map.Entry<String, String> e : values.entrySet()) {
      sb.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
