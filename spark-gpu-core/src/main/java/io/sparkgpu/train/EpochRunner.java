package io.sparkgpu.train;

import java.util.List;

/**
 * Runs one epoch on every partition and returns their updates: through Spark jobs on a cluster, or in-process for
 * tests. The runner owns whatever it keeps between epochs and releases it in {@link #close}.
 */
public interface EpochRunner extends AutoCloseable {
  List<PartitionUpdate> runEpoch(EpochInput input, String description);

  /**
   * How this runner places partitions, for logs ({@code device=auto}, {@code in-process}); the backend each
   * partition actually trained on comes back in its {@link PartitionUpdate}.
   */
  String backendDescription();

  @Override
  void close();
}
