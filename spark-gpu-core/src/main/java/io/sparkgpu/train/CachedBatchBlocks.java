package io.sparkgpu.train;

import io.sparkgpu.arrow.BatchRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockResult;
import org.apache.spark.storage.RDDBlockId;
import scala.Option;
import scala.reflect.ClassTag$;

/**
 * The cached batch blocks ({@code rdd_<id>_<partition>}) read and located through Spark's block manager, so that an
 * epoch's task needs no lineage to reach them. Every call to Spark's {@code private[spark]} block-manager API
 * ({@code BlockManager.get}, {@code BlockManager.blockIdsToLocations}, {@code BlockManagerMaster.getLocations}) is
 * here, covered by {@code EpochRddTest}. Holds no resources: a block read keeps a read lock until its values are
 * consumed or the task ends.
 */
final class CachedBatchBlocks {
  private CachedBatchBlocks() {}

  /** Thrown in a task when a cached block it needs is on no live executor; the driver re-materialises it. */
  static final class MissingBlockException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final String MARKER = "spark-gpu cached batches missing";

    MissingBlockException(String message) {
      super(MARKER + ": " + message);
    }

    /** True when {@code t}, or a cause of it, is (or reports, after a task failure) a missing block. */
    static boolean isCause(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof MissingBlockException || (c.getMessage() != null && c.getMessage().contains(MARKER))) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * The records of blocks {@code rdd_<rddId>_<p>} for p in {@code partitions}, in that order, read from this
   * executor's store or fetched from another's (each block read whole, which releases its read lock); throws
   * {@link MissingBlockException} for a block no executor holds. Must run in a task.
   */
  static List<BatchRecord> read(int rddId, int[] partitions) {
    BlockManager blocks = SparkEnv.get().blockManager();
    List<BatchRecord> records = new ArrayList<>();
    for (int p : partitions) {
      RDDBlockId id = new RDDBlockId(rddId, p);
      Option<BlockResult> got = blocks.get(id, ClassTag$.MODULE$.apply(BatchRecord.class));
      if (got.isEmpty()) {
        throw new MissingBlockException("block " + id.name() + " (partition " + p + " of the batched data) is on no "
            + "live executor");
      }
      scala.collection.Iterator<Object> values = got.get().data();
      while (values.hasNext()) {
        records.add((BatchRecord) values.next());
      }
    }
    return records;
  }

  /**
   * For each partition of {@code rddId}, the executors holding its block as Spark task locations
   * ({@code executor_<host>_<id>}); empty where no live executor holds it. Runs on the driver (one call to the
   * block manager master).
   */
  static List<List<String>> locations(int rddId, int numPartitions) {
    BlockId[] ids = new BlockId[numPartitions];
    for (int p = 0; p < numPartitions; p++) {
      ids[p] = new RDDBlockId(rddId, p);
    }
    SparkEnv env = SparkEnv.get();
    scala.collection.immutable.Map<BlockId, scala.collection.immutable.Seq<String>> byBlock =
        BlockManager.blockIdsToLocations(ids, env, env.blockManager().master());
    List<List<String>> out = new ArrayList<>(numPartitions);
    for (BlockId id : ids) {
      List<String> hosts = new ArrayList<>();
      Option<scala.collection.immutable.Seq<String>> at = byBlock.get(id);
      if (at.isDefined()) {
        scala.collection.Iterator<String> it = at.get().iterator();
        while (it.hasNext()) {
          hosts.add(it.next());
        }
      }
      out.add(hosts);
    }
    return out;
  }
}
