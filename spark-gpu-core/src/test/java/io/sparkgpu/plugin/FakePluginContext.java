package io.sparkgpu.plugin;

import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * A PluginContext as an executor sees it, without Spark: a metric registry, a conf, resources, and the messages
 * sent to the driver. {@link #hostname()} throws as Spark 4.1.0's does on executors.
 */
class FakePluginContext implements PluginContext {
  final MetricRegistry registry = new MetricRegistry();
  final SparkConf conf = new SparkConf(false);
  final Map<String, ResourceInformation> resources = new HashMap<>();
  final List<Object> sent = new ArrayList<>();
  final String executorId;
  boolean failSend;

  FakePluginContext(String executorId, String... gpus) {
    this.executorId = executorId;
    if (gpus.length > 0) {
      resources.put("gpu", new ResourceInformation("gpu", gpus));
    }
  }

  @Override
  public MetricRegistry metricRegistry() {
    return registry;
  }

  @Override
  public SparkConf conf() {
    return conf;
  }

  @Override
  public String executorID() {
    return executorId;
  }

  @Override
  public String hostname() {
    throw new NullPointerException("as PluginContextImpl.hostname() on an executor in Spark 4.1.0");
  }

  @Override
  public Map<String, ResourceInformation> resources() {
    return resources;
  }

  @Override
  public void send(Object message) throws IOException {
    if (failSend) {
      throw new IOException("driver unreachable");
    }
    sent.add(message);
  }

  @Override
  public Object ask(Object message) {
    throw new UnsupportedOperationException("the plugin only sends");
  }
}
