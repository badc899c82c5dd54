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
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One partition's share of one epoch, run on executors: train the fit's resident partition (building it from the
 * cached batches the first time) with the epoch's input, and return its {@link PartitionUpdate}. The input travels
 * inside the task when it is small, else as a broadcast; or, for a task of the fit's long-lived local job
 * ({@link #forLoop}), each round's input comes from the fit's {@link LocalEpochLoop}. Holds only the input, broadcast
 * handles and settings; the resident data belongs to {@link ResidentDataCache}.
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
  private final boolean loop;

  /** Exactly one of {@code inline} and {@code broadcast} is not null. */
  EpochTask(String fitId, Broadcast<TrainingConfig> config, EpochInput inline, Broadcast<EpochInput> broadcast,
      DeviceSetting device, int numFeatures, int numPartitions) {
    this(fitId, config, inline, broadcast, device, numFeatures, numPartitions, false);
    if ((inline == null) == (broadcast == null)) {
      throw new IllegalArgumentException("an epoch's input goes either inline or as a broadcast");
    }
  }

  /** A task of the fit's long-lived local job: it trains every round of the fit's {@link LocalEpochLoop}. */
  static EpochTask forLoop(String fitId, Broadcast<TrainingConfig> config, DeviceSetting device, int numFeatures,
      int numPartitions) {
    return new EpochTask(fitId, config, null, null, device, numFeatures, numPartitions, true);
  }

  private EpochTask(String fitId, Broadcast<TrainingConfig> config, EpochInput inline,
      Broadcast<EpochInput> broadcast, DeviceSetting device, int numFeatures, int numPartitions, boolean loop) {
    this.fitId = fitId;
    this.config = config;
    this.inline = inline;
    this.broadcast = broadcast;
    this.device = device;
    this.numFeatures = numFeatures;
    this.numPartitions = numPartitions;
    this.loop = loop;
  }

  /** Whether this is a task of the fit's long-lived local job. */
  boolean isLoop() {
    return loop;
  }

  /** Trains {@code partition} with this task's input; {@code records} is read only when it is not resident yet. */
  PartitionUpdate train(int partition, Supplier<Iterator<BatchRecord>> records) {
    return train(partition, records, inline != null ? inline : broadcast.value());
  }

  /**
   * A task of the long-lived local job: trains every round the fit's loop posts, reporting each update, until the
   * loop closes or the task is killed. Returns at once when the loop is already closed.
   */
  void trainRounds(int partition, Supplier<Iterator<BatchRecord>> records, TaskContext context) {
    LocalEpochLoop rounds = LocalEpochLoop.of(fitId);
    if (rounds == null) {
      return;
    }
    long last = rounds.join(partition);
    try {
      for (LocalEpochLoop.Round r = rounds.next(last, context); r != null; r = rounds.next(last, context)) {
        rounds.report(partition, r.number(), train(partition, records, r.input()));
        last = r.number();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Partition " + partition + " of " + fitId + " was interrupted between epochs",
          e);
    } finally {
      rounds.leave();
    }
  }

  @SuppressWarnings("try") // the device slot is held, not used, while the epoch trains
  private PartitionUpdate train(int partition, Supplier<Iterator<BatchRecord>> records, EpochInput in) {
    TrainingConfig cfg = config.value();
    try (ResidentDataCache.Lease lease = ResidentDataCache.global().acquire(fitId, partition,
        () -> build(cfg, partition, records.get()));
        BackendSelector.DeviceSlot slot = BackendSelector.occupy(lease.trainer().data().backend())) {
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
