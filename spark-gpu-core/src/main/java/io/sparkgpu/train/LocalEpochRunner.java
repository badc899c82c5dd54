package io.sparkgpu.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs every partition's epoch in this thread, one after another, over trainers it owns and closes. The same
 * arithmetic as a Spark fit without Spark: used by engine tests and the benchmark's in-process measurements.
 */
public final class LocalEpochRunner implements EpochRunner {
  private final List<PartitionTrainer> trainers;

  public LocalEpochRunner(List<PartitionTrainer> trainers) {
    this.trainers = new ArrayList<>(trainers);
  }

  @Override
  public List<PartitionUpdate> runEpoch(EpochInput input, String description) {
    List<PartitionUpdate> updates = new ArrayList<>();
    for (PartitionTrainer t : trainers) {
      updates.add(t.trainEpoch(input));
    }
    return updates;
  }

  @Override
  public String backendDescription() {
    return "in-process";
  }

  @Override
  public void close() {
    PartitionTrainer.closeEach(trainers);
  }
}
