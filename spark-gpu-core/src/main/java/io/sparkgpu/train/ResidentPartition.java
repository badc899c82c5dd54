package io.sparkgpu.train;

import io.sparkgpu.arrow.ArrowBatchView;
import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One partition's training rows held by a backend for the whole fit: features scaled as {@link InputScaling} says,
 * labels transformed as the fit says, rows shuffled once (seeded by fit seed and partition), split into chunks that
 * each fit one backend matrix. Owns its backend matrices and closes them; the backend itself belongs to the
 * caller.
 */
public final class ResidentPartition implements AutoCloseable {

  /** Rows of one chunk: contiguous on the backend, addressed by row-range views. */
  public static final class Chunk {
    public final int rows;
    public final DenseMatrix dense;
    public final CsrMatrix sparse;
    public final DenseMatrix labels;
    public final DenseMatrix weights;
    /** weightPrefix[i] = Σ weights of rows before i (host copy, for mini-batch weight sums). */
    final double[] weightPrefix;

    Chunk(int rows, DenseMatrix dense, CsrMatrix sparse, DenseMatrix labels, DenseMatrix weights,
        double[] weightPrefix) {
      this.rows = rows;
      this.dense = dense;
      this.sparse = sparse;
      this.labels = labels;
      this.weights = weights;
      this.weightPrefix = weightPrefix;
    }

    public double weightSum(int start, int count) {
      return weightPrefix[start + count] - weightPrefix[start];
    }
  }

  /** Largest chunk, in float elements (dense) or non-zeros (sparse): 256 MiB of values. */
  static final long MAX_CHUNK_ELEMENTS = 64L << 20;

  /** Rows gathered before their values are scaled (at 100 features, 25 KiB: they stay in the L1/L2 cache). */
  private static final int GATHER_BLOCK_ROWS = 64;

  private final ComputeBackend backend;
  private final List<Chunk> chunks;
  private final ResidentLayout layout;
  private final long rows;
  private final double weightSum;
  private final long bytes;

  private ResidentPartition(ComputeBackend backend, List<Chunk> chunks, ResidentLayout layout, long rows,
      double weightSum, long bytes) {
    this.backend = backend;
    this.chunks = Collections.unmodifiableList(chunks);
    this.layout = layout;
    this.rows = rows;
    this.weightSum = weightSum;
    this.bytes = bytes;
  }

  /**
   * Builds the resident form of {@code batches} on {@code backend}. Host arrays of the batches are read, never
   * modified; a chunk failing to upload closes what was uploaded before.
   */
  public static ResidentPartition build(ComputeBackend backend, List<HostBatch> batches, int numFeatures,
      InputScaling scaling, double labelShift, double labelScale, long seed, int partition, long maxDenseBytes) {
    List<RowSource> sources = new ArrayList<>(batches.size());
    for (HostBatch b : batches) {
      sources.add(RowSource.of(b));
    }
    return buildFrom(backend, sources, numFeatures, scaling, labelShift, labelScale, seed, partition, maxDenseBytes,
        MAX_CHUNK_ELEMENTS);
  }

  /**
   * As {@link #build}, reading the rows straight out of encoded Arrow batches (no decoded copy in between): the
   * result is the same as building from the {@link HostBatch}es those batches decode to.
   */
  public static ResidentPartition buildEncoded(ComputeBackend backend, List<ArrowBatchView> batches,
      int numFeatures, InputScaling scaling, double labelShift, double labelScale, long seed, int partition,
      long maxDenseBytes) {
    List<RowSource> sources = new ArrayList<>(batches.size());
    for (ArrowBatchView b : batches) {
      sources.add(RowSource.of(b));
    }
    return buildFrom(backend, sources, numFeatures, scaling, labelShift, labelScale, seed, partition, maxDenseBytes,
        MAX_CHUNK_ELEMENTS);
  }

  /** The builder behind both entry points; tests pass a small {@code maxChunkElements} to see chunk boundaries. */
  static ResidentPartition buildFrom(ComputeBackend backend, List<RowSource> batches, int numFeatures,
      InputScaling scaling, double labelShift, double labelScale, long seed, int partition, long maxDenseBytes,
      long maxChunkElements) {
    long total = 0;
    long nnz = 0;
    boolean anySparse = false;
    for (RowSource b : batches) {
      if (b.cols() != numFeatures) {
        throw new IllegalArgumentException("A batch has " + b.cols() + " features, expected " + numFeatures);
      }
      total += b.rows();
      anySparse |= b.isSparse();
      nnz += b.storedValues();
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Partition " + partition + " has " + total
          + " rows, more than one trainer takes; raise numWorkers");
    }
    ResidentLayout layout = ResidentLayout.choose(total, numFeatures, nnz, anySparse, maxDenseBytes);
    int n = (int) total;
    int[] batchStart = new int[batches.size() + 1];
    for (int i = 0; i < batches.size(); i++) {
      batchStart[i + 1] = batchStart[i] + batches.get(i).rows();
    }
    RowSource[] sources = batches.toArray(new RowSource[0]);
    int[] order = permutation(n, SeedMixer.mix(seed, partition, -1));
    float[] scale = scaling.scale();
    boolean unitScale = true;
    for (float v : scale) {
      unitScale &= Float.floatToRawIntBits(v) == Float.floatToRawIntBits(1f);
    }
    float[] rowScale = unitScale ? null : scale;

    List<Chunk> chunks = new ArrayList<>();
    long bytes = 0;
    double weightSum = 0;
    try {
      int next = 0;
      while (next < n) {
        int count = chunkRows(sources, batchStart, order, next, numFeatures, layout, maxChunkElements);
        Chunk c = gather(backend, sources, batchStart, order, next, count, numFeatures, layout, rowScale,
            labelShift, labelScale);
        chunks.add(c);
        weightSum += c.weightPrefix[count];
        bytes += 4L * count * 2 + (layout == ResidentLayout.DENSE ? 4L * count * numFeatures
            : 8L * ((c.sparse.nonZeros())) + 4L * (count + 1));
        next += count;
      }
    } catch (RuntimeException | Error e) {
      for (Chunk c : chunks) {
        closeChunk(c);
      }
      throw e;
    }
    TrainerCounters.global().partitionMadeResident(bytes);
    return new ResidentPartition(backend, chunks, layout, total, weightSum, bytes);
  }

  /**
   * The order rows are held in: Fisher-Yates (from the last position down) driven by {@code new Random(seed)}, with
   * {@link Random}'s generator and {@code nextInt(bound)} written out here, bit for bit (the tests hold it to
   * {@link Random} itself): its atomic seed update cost more than the rest of the shuffle.
   */
  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    long state = (seed ^ LCG_MULTIPLIER) & LCG_MASK;
    for (int i = n - 1; i > 0; i--) {
      int bound = i + 1;
      state = (state * LCG_MULTIPLIER + LCG_ADDEND) & LCG_MASK;
      int r = (int) (state >>> 17);
      int m = bound - 1;
      if ((bound & m) == 0) {
        r = (int) ((bound * (long) r) >> 31);
      } else {
        for (int u = r; u - (r = u % bound) + m < 0; ) {
          state = (state * LCG_MULTIPLIER + LCG_ADDEND) & LCG_MASK;
          u = (int) (state >>> 17);
        }
      }
      int t = p[i];
      p[i] = p[r];
      p[r] = t;
    }
    return p;
  }

  private static final long LCG_MULTIPLIER = 0x5DEECE66DL;
  private static final long LCG_ADDEND = 0xBL;
  private static final long LCG_MASK = (1L << 48) - 1;

  private static int locate(int[] batchStart, int row) {
    int lo = 0;
    int hi = batchStart.length - 2;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (batchStart[mid] <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** How many rows from {@code next} on fit one chunk. */
  private static int chunkRows(RowSource[] batches, int[] batchStart, int[] order, int next, int d,
      ResidentLayout layout, long maxChunkElements) {
    int n = order.length;
    if (layout == ResidentLayout.DENSE) {
      long byElements = Math.max(1, maxChunkElements / d);
      return (int) Math.min(n - next, byElements);
    }
    long elements = 0;
    int count = 0;
    while (next + count < n) {
      int src = order[next + count];
      int bi = locate(batchStart, src);
      int rowNnz = batches[bi].storedInRow(src - batchStart[bi]);
      if (count > 0 && elements + rowNnz > maxChunkElements) {
        break;
      }
      elements += rowNnz;
      count++;
    }
    return count;
  }

  /**
   * Copies rows {@code order[first ... first + count)} into one chunk and uploads it. {@code scale} is null when
   * every feature's scale is exactly 1 (multiplying by 1 changes no value, so it is skipped).
   */
  private static Chunk gather(ComputeBackend backend, RowSource[] batches, int[] batchStart, int[] order,
      int first, int count, int d, ResidentLayout layout, float[] scale, double labelShift, double labelScale) {
    float[] labels = new float[count];
    float[] weights = new float[count];
    double[] prefix = new double[count + 1];
    float[] dense = layout == ResidentLayout.DENSE ? new float[Math.multiplyExact(count, d)] : null;
    int[] rowPtr = layout == ResidentLayout.SPARSE ? new int[count + 1] : null;
    if (rowPtr != null) {
      for (int i = 0; i < count; i++) {
        int src = order[first + i];
        int bi = locate(batchStart, src);
        rowPtr[i + 1] = rowPtr[i] + batches[bi].nonZerosInRow(src - batchStart[bi]);
      }
    }
    int[] cols = rowPtr != null ? new int[rowPtr[count]] : null;
    float[] vals = rowPtr != null ? new float[rowPtr[count]] : null;
    // Dense rows of dense batches are copied whole and scaled afterwards, a block of rows at a time while they are
    // still in cache: a copy and a multiply fused per row run at half the speed (the random reads stall it).
    boolean[] scaleLater = new boolean[GATHER_BLOCK_ROWS];
    for (int i0 = 0; i0 < count; i0 += GATHER_BLOCK_ROWS) {
      int end = Math.min(count, i0 + GATHER_BLOCK_ROWS);
      for (int i = i0; i < end; i++) {
        int src = order[first + i];
        int bi = locate(batchStart, src);
        RowSource b = batches[bi];
        int r = src - batchStart[bi];
        double w = b.weight(r);
        labels[i] = (float) ((b.label(r) - labelShift) * labelScale);
        weights[i] = (float) w;
        prefix[i + 1] = prefix[i] + w;
        if (dense == null) {
          b.csrRow(r, cols, vals, rowPtr[i], scale);
        } else if (b.isSparse()) {
          b.denseRow(r, dense, i * d, scale); // only the stored entries are scaled, as always
        } else {
          b.denseRow(r, dense, i * d, null);
          scaleLater[i - i0] = scale != null;
        }
      }
      for (int i = i0; i < end; i++) {
        if (scaleLater[i - i0]) {
          RowSource.scaleInPlace(dense, i * d, scale);
          scaleLater[i - i0] = false;
        }
      }
    }
    DenseMatrix x = null;
    CsrMatrix s = null;
    DenseMatrix y = null;
    try {
      if (dense != null) {
        x = backend.uploadOwned(dense, count, d);
      } else {
        s = backend.uploadCsrOwned(count, d, rowPtr, cols, vals);
      }
      y = backend.uploadOwned(labels, count, 1);
      DenseMatrix w = backend.uploadOwned(weights, count, 1);
      return new Chunk(count, x, s, y, w, prefix);
    } catch (RuntimeException | Error e) {
      closeQuietly(x, s, y);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        try {
          r.close();
        } catch (Exception ignored) {
          // Already failing; the first error is the one reported.
        }
      }
    }
  }

  private static void closeChunk(Chunk c) {
    closeQuietly(c.dense, c.sparse, c.labels, c.weights);
  }

  public ComputeBackend backend() {
    return backend;
  }

  public List<Chunk> chunks() {
    return chunks;
  }

  public ResidentLayout layout() {
    return layout;
  }

  public long rows() {
    return rows;
  }

  public double weightSum() {
    return weightSum;
  }

  /** Backend bytes held by the data (features, labels, weights). */
  public long bytes() {
    return bytes;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (Chunk c : chunks) {
      for (AutoCloseable r : new AutoCloseable[] {c.dense, c.sparse, c.labels, c.weights}) {
        if (r == null) {
          continue;
        }
        try {
          r.close();
        } catch (Exception e) {
          if (first == null) {
            first = new IllegalStateException("Could not free resident partition memory", e);
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
