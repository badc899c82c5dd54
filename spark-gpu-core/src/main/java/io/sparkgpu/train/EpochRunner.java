package io.sparkgpu.train;

import java.util.List;

/**
 * Runs one epoch on every partition and returns their updates: through Spark jobs on a cluster, or in-process for
 * tests. The runner owns whatever it keeps between epochs and releases it in {@link #close}.
 */
public interface EpochRunner extends AutoCloseable {
  List<PartitionUpdate> runEpoch(EpochInput input, String description);

  /** The name of the backend(s) the partitions train on, for logs. */
  String backendDescription();

  @Override
  void close();
}
