package io.sparkgpu.train;

import io.sparkgpu.arrow.ArrowBatchView;
import io.sparkgpu.arrow.BatchRecord;
import io.sparkgpu.backend.BackendSelector;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.DeviceSetting;
import io.sparkgpu.faults.FaultInjection;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.broadcast.Broadcast;

/**
 * One partition's share of one epoch, run on executors: train the fit's resident partition (building it from the
 * cached batches the first time) with the epoch's input, and return its {@link PartitionUpdate}. The input travels
 * inside the task when it is small, else as a broadcast. Holds only the input, broadcast handles and settings; the
 * resident data belongs to {@link ResidentDataCache}.
 */
final class EpochTask implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String fitId;
  private final Broadcast<TrainingConfig> config;
  private final EpochInput inline;
  private final Broadcast<EpochInput> broadcast;
  private final DeviceSetting device;
  private final int numFeatures;
  private final int numPartitions;

  /** Exactly one of {@code inline} and {@code broadcast} is not null. */
  EpochTask(String fitId, Broadcast<TrainingConfig> config, EpochInput inline, Broadcast<EpochInput> broadcast,
      DeviceSetting device, int numFeatures, int numPartitions) {
    if ((inline == null) == (broadcast == null)) {
      throw new IllegalArgumentException("an epoch's input goes either inline or as a broadcast");
    }
    this.fitId = fitId;
    this.config = config;
    this.inline = inline;
    this.broadcast = broadcast;
    this.device = device;
    this.numFeatures = numFeatures;
    this.numPartitions = numPartitions;
  }

  /** Trains {@code partition}; {@code records} is read only when the partition is not resident yet. */
  @SuppressWarnings("try") // the device slot is held, not used, while the epoch trains
  PartitionUpdate train(int partition, Supplier<Iterator<BatchRecord>> records) {
    TrainingConfig cfg = config.value();
    try (ResidentDataCache.Lease lease = ResidentDataCache.global().acquire(fitId, partition,
        () -> build(cfg, partition, records.get()));
        BackendSelector.DeviceSlot slot = BackendSelector.occupy(lease.trainer().data().backend())) {
      EpochInput in = inline != null ? inline : broadcast.value();
      PartitionUpdate update = lease.trainer().trainEpoch(in);
      if (in.train()) {
        FaultInjection.afterTraining(in.epoch(), in.round());
      }
      return update;
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
