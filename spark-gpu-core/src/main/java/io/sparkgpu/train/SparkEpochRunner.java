package io.sparkgpu.train;

import io.sparkgpu.arrow.ArrowBatchView;
import io.sparkgpu.arrow.BatchRecord;
import io.sparkgpu.arrow.BatchedDataset;
import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.faults.FaultInjection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Runs epochs as Spark jobs over the cached Arrow batches: the driver broadcasts the epoch's input, each task trains
 * its partition (resident in the executor's {@link ResidentDataCache} from the first epoch on) and returns a
 * {@link PartitionUpdate}; the broadcast is destroyed after the job. Owns the fit's config broadcast and, through
 * {@link #close}, the release of the resident partitions.
 */
public final class SparkEpochRunner implements EpochRunner {
  private final JavaSparkContext sc;
  private final BatchedDataset data;
  private final String fitId;
  private final Broadcast<TrainingConfig> config;
  private final DeviceSetting device;

  public SparkEpochRunner(JavaSparkContext sc, BatchedDataset data, TrainingConfig config, String fitId,
      DeviceSetting device) {
    this.sc = sc;
    this.data = data;
    this.fitId = fitId;
    this.device = device;
    this.config = sc.broadcast(config);
  }

  @Override
  public List<PartitionUpdate> runEpoch(EpochInput input, String description) {
    Broadcast<EpochInput> in = sc.broadcast(input);
    try {
      sc.setJobDescription(description);
      return data.records()
          .mapPartitionsWithIndex(new EpochTask(fitId, config, in, device, data.statistics().numFeatures(),
              data.numPartitions()), true)
          .collect();
    } finally {
      sc.setJobDescription(null);
      in.destroy();
    }
  }

  @Override
  public String backendDescription() {
    return "device=" + device.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    ResidentDataCache.global().releaseFit(fitId); // local mode: executors share this JVM
    try {
      if (!sc.isLocal()) { // in local mode the line above has released every partition; no job is needed
        sc.setJobDescription("spark-gpu release resident partitions of " + fitId);
        String id = fitId; // a local, so that the closure does not capture this runner
        data.records().foreachPartition(it -> ResidentDataCache.global().releaseFit(id));
      }
    } finally {
      sc.setJobDescription(null);
      config.destroy();
    }
  }

  /** One partition's epoch; runs on executors. */
  static final class EpochTask implements Function2<Integer, Iterator<BatchRecord>, Iterator<PartitionUpdate>> {
    private static final long serialVersionUID = 1L;
    private final String fitId;
    private final Broadcast<TrainingConfig> config;
    private final Broadcast<EpochInput> input;
    private final DeviceSetting device;
    private final int numFeatures;
    private final int numPartitions;

    EpochTask(String fitId, Broadcast<TrainingConfig> config, Broadcast<EpochInput> input, DeviceSetting device,
        int numFeatures, int numPartitions) {
      this.fitId = fitId;
      this.config = config;
      this.input = input;
      this.device = device;
      this.numFeatures = numFeatures;
      this.numPartitions = numPartitions;
    }

    @Override
    @SuppressWarnings("try") // the device slot is held, not used, while the epoch trains
    public Iterator<PartitionUpdate> call(Integer partition, Iterator<BatchRecord> records) {
      TrainingConfig cfg = config.value();
      try (ResidentDataCache.Lease lease = ResidentDataCache.global().acquire(fitId, partition,
          () -> build(cfg, partition, records));
          BackendSelector.DeviceSlot slot = BackendSelector.occupy(lease.trainer().data().backend())) {
        EpochInput in = input.value();
        PartitionUpdate update = lease.trainer().trainEpoch(in);
        if (in.train()) {
          FaultInjection.afterTraining(in.epoch(), in.round());
        }
        return Collections.singletonList(update).iterator();
      }
    }

    private PartitionTrainer build(TrainingConfig cfg, int partition, Iterator<BatchRecord> records) {
      List<ArrowBatchView> batches = new ArrayList<>();
      List<ArrowBatchView> heldOut = new ArrayList<>();
      // The rows are gathered straight out of the encoded batches: no Arrow buffers, no decoded copy.
      while (records.hasNext()) {
        BatchRecord r = records.next();
        if (r.isBatch()) {
          (r.isValidation() ? heldOut : batches).add(ArrowBatchView.of(r.arrowBatch()));
        }
      }
      BackendSelector.Selection backend = BackendSelector.forTask(device);
      ComputeBackend cpu = BackendSelector.forTask(DeviceSetting.CPU).backend();
      return ResidentPlacement.build(backend.backend(), cpu, device, ResidentDataCache.global(), partition,
          on -> trainerOn(on, cfg, partition, batches, heldOut));
    }

    private PartitionTrainer trainerOn(ComputeBackend backend, TrainingConfig cfg, int partition,
        List<ArrowBatchView> batches, List<ArrowBatchView> heldOut) {
      ResidentPartition data = ResidentPartition.buildEncoded(backend, batches, numFeatures, cfg.scaling(),
          cfg.labelShift(), cfg.labelScale(), cfg.seed(), partition, cfg.maxDenseBytes());
      ResidentPartition validation = null;
      try {
        if (!heldOut.isEmpty()) {
          validation = ResidentPartition.buildEncoded(backend, heldOut, numFeatures, cfg.scaling(), cfg.labelShift(),
              cfg.labelScale(), cfg.seed(), partition, cfg.maxDenseBytes());
        }
        return new PartitionTrainer(cfg, data, validation, partition, numPartitions);
      } catch (RuntimeException | Error e) {
        data.close();
        if (validation != null) {
          validation.close();
        }
        throw e;
      }
    }
  }
}
