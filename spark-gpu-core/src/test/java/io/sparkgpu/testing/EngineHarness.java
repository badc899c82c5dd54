package io.sparkgpu.testing;

import io.sparkgpu.arrow.ArrowBatchCodec;
import io.sparkgpu.arrow.ArrowBatchWriter;
import io.sparkgpu.arrow.BatchingOptions;
import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.arrow.PartitionStatistics;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.train.FitPlan;
import io.sparkgpu.train.LocalEpochRunner;
import io.sparkgpu.train.PartitionTrainer;
import io.sparkgpu.train.ResidentPartition;
import io.sparkgpu.train.TrainingConfig;
import io.sparkgpu.train.TrainingLoop;
import io.sparkgpu.train.TrainingResult;
import io.sparkgpu.train.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The engine's path without Spark: rows split into P partitions, each batched through {@link ArrowBatchWriter},
 * encoded, decoded, made resident and trained with {@link LocalEpochRunner}. Uses the allocator it is given.
 */
public final class EngineHarness {
  private EngineHarness() {}

  /** One partition's encoded batches and statistics. */
  public record Partition(List<HostBatch> batches, PartitionStatistics stats) {}

  /** Splits {@code data} into {@code p} contiguous partitions and batches each through the Arrow writer. */
  public static List<Partition> partition(HostBatch data, int p, LabelKind kind, long maxBatchBytes,
      BufferAllocator allocator) {
    List<Partition> out = new ArrayList<>();
    BatchingOptions options = new BatchingOptions("features", "label", "weight", kind, maxBatchBytes);
    for (int i = 0; i < p; i++) {
      int from = (int) ((long) data.rows * i / p);
      int to = (int) ((long) data.rows * (i + 1) / p);
      ArrowBatchWriter writer = new ArrowBatchWriter(allocator, options, i);
      List<HostBatch> batches = new ArrayList<>();
      for (int r = from; r < to; r++) {
        if (data.isSparse()) {
          int start = data.rowPtr[r];
          int nnz = data.rowPtr[r + 1] - start;
          int[] idx = java.util.Arrays.copyOfRange(data.colIndices, start, start + nnz);
          double[] val = new double[nnz];
          for (int q = 0; q < nnz; q++) {
            val[q] = data.values[start + q];
          }
          writer.appendSparse(data.cols, idx, val, nnz, data.labels[r], data.weights[r]);
        } else {
          double[] row = new double[data.cols];
          for (int j = 0; j < data.cols; j++) {
            row[j] = data.dense[r * data.cols + j];
          }
          writer.appendDense(row, data.labels[r], data.weights[r]);
        }
        if (writer.isFull()) {
          batches.add(ArrowBatchCodec.decode(writer.flush(), allocator));
        }
      }
      byte[] last = writer.flush();
      if (last != null) {
        batches.add(ArrowBatchCodec.decode(last, allocator));
      }
      out.add(new Partition(batches, writer.statistics()));
    }
    return out;
  }

  public static PartitionStatistics merged(List<Partition> parts) {
    PartitionStatistics all = new PartitionStatistics(-1);
    for (Partition p : parts) {
      all.merge(p.stats());
    }
    return all;
  }

  /** Trains a linear model on the partitions and returns the result (parameters in the scaled space). */
  public static TrainingResult fitLinear(ComputeBackend backend, List<Partition> parts, FitPlan.LinearKind kind,
      int numClasses, TrainingSettings settings, double tol) {
    PartitionStatistics stats = merged(parts);
    FitPlan plan = FitPlan.linear(kind, numClasses, stats, settings, parts.size());
    return fit(backend, parts, plan.config(), plan.initialParams(), tol, stats.numFeatures());
  }

  public static TrainingResult fit(ComputeBackend backend, List<Partition> parts, TrainingConfig config,
      float[] init, double tol, int numFeatures) {
    List<PartitionTrainer> trainers = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      ResidentPartition rp = ResidentPartition.build(backend, parts.get(i).batches(), numFeatures, config.scaling(),
          config.labelShift(), config.labelScale(), config.seed(), i, config.maxDenseBytes());
      trainers.add(new PartitionTrainer(config, rp, i, parts.size()));
    }
    try (LocalEpochRunner runner = new LocalEpochRunner(trainers)) {
      return TrainingLoop.fit("test", config, init, runner, tol);
    }
  }
}
