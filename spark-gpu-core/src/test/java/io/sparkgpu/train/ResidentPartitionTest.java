package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.arrow.ArrowBatchCodec;
import io.sparkgpu.arrow.ArrowBatchView;
import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.ArrowAllocatorFixture;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidentPartition}: the resident rows are exactly the input rows (scaled features, transformed labels,
 * weights and their prefix sums) in one seeded Fisher-Yates order, CSR keeps only non-zero values, chunks respect
 * the element limit, and building from encoded batches gives the same partition as building from decoded ones.
 * Every row's label is its global index, so each resident row can be traced back to its input row.
 */
class ResidentPartitionTest extends ArrowAllocatorFixture {
  private static final double SHIFT = 0.5;
  private static final double LABEL_SCALE = 2.0;

  /** CSR arrays as uploaded, captured by wrapping the CPU backend (the interface offers no read-back of CSR). */
  private final Map<CsrMatrix, Object[]> csrUploads = new IdentityHashMap<>();
  private final CpuBackend cpu = new CpuBackend();
  private final ComputeBackend backend = (ComputeBackend) Proxy.newProxyInstance(
      ComputeBackend.class.getClassLoader(), new Class<?>[] {ComputeBackend.class}, (proxy, m, args) -> {
        try {
          Object out = m.invoke(cpu, args);
          if (m.getName().equals("uploadCsrOwned")) {
            csrUploads.put((CsrMatrix) out, new Object[] {args[2], args[3], args[4]});
          }
          return out;
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });

  /** Rows of one partition as the test made them, indexed by global row. */
  private static final class Input {
    final List<HostBatch> batches = new ArrayList<>();
    final List<float[]> rows = new ArrayList<>(); // dense form, for the expected values
    final List<Integer> stored = new ArrayList<>(); // CSR entries (zeros included), or d
    final List<Double> weights = new ArrayList<>();
    final int d;

    Input(int d) {
      this.d = d;
    }

    void dense(Random r, int n, double zeroProbability) {
      float[] x = new float[n * d];
      double[] y = new double[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < d; j++) {
          x[i * d + j] = r.nextDouble() < zeroProbability ? 0f : (float) r.nextGaussian();
        }
        y[i] = rows.size();
        w[i] = 0.25 + r.nextInt(8);
        rows.add(Arrays.copyOfRange(x, i * d, (i + 1) * d));
        stored.add(d);
        weights.add(w[i]);
      }
      batches.add(HostBatch.dense(n, d, x, y, w));
    }

    /** Rows with up to {@code maxEntries} entries, some of them stored zeros, columns unsorted and distinct. */
    void sparse(Random r, int n, int maxEntries) {
      int[] rowPtr = new int[n + 1];
      int[] idx = new int[n * maxEntries];
      float[] val = new float[n * maxEntries];
      double[] y = new double[n];
      double[] w = new double[n];
      int p = 0;
      for (int i = 0; i < n; i++) {
        float[] row = new float[d];
        int entries = r.nextInt(maxEntries + 1);
        List<Integer> columns = new ArrayList<>();
        for (int j = 0; j < d; j++) {
          columns.add(j);
        }
        java.util.Collections.shuffle(columns, r);
        for (int q = 0; q < entries; q++) {
          idx[p] = columns.get(q);
          val[p] = q % 3 == 2 ? 0f : (float) r.nextGaussian();
          row[idx[p]] = val[p];
          p++;
        }
        rowPtr[i + 1] = p;
        y[i] = rows.size();
        w[i] = 1.0 + r.nextInt(3);
        rows.add(row);
        stored.add(entries);
        weights.add(w[i]);
      }
      batches.add(HostBatch.sparse(n, d, rowPtr, idx, val, y, w));
    }

    int n() {
      return rows.size();
    }
  }

  /** What a built partition holds, read back row by row in resident order. */
  private final class Resident {
    final List<Integer> ids = new ArrayList<>();
    final List<float[]> rows = new ArrayList<>();
    final List<int[]> csrColumns = new ArrayList<>();
    final List<Integer> chunkRows = new ArrayList<>();
    final List<float[]> weights = new ArrayList<>();

    Resident(ResidentPartition p, int d) {
      for (ResidentPartition.Chunk c : p.chunks()) {
        chunkRows.add(c.rows);
        float[] y = new float[c.rows];
        float[] w = new float[c.rows];
        cpu.read(c.labels, y, 0);
        cpu.read(c.weights, w, 0);
        weights.add(w);
        float[] x = null;
        Object[] csr = null;
        if (c.dense != null) {
          x = new float[c.rows * d];
          cpu.read(c.dense, x, 0);
          assertNull(c.sparse);
        } else {
          csr = csrUploads.get(c.sparse);
        }
        for (int i = 0; i < c.rows; i++) {
          double id = y[i] / LABEL_SCALE + SHIFT;
          assertEquals(Math.rint(id), id, "label " + y[i] + " is not a transformed row index");
          ids.add((int) id);
          if (x != null) {
            rows.add(Arrays.copyOfRange(x, i * d, (i + 1) * d));
          } else {
            int[] rowPtr = (int[]) csr[0];
            int[] cols = Arrays.copyOfRange((int[]) csr[1], rowPtr[i], rowPtr[i + 1]);
            float[] vals = Arrays.copyOfRange((float[]) csr[2], rowPtr[i], rowPtr[i + 1]);
            float[] row = new float[d];
            for (int q = 0; q < cols.length; q++) {
              row[cols[q]] = vals[q];
            }
            rows.add(row);
            csrColumns.add(cols);
          }
        }
        double sum = 0;
        for (int i = 0; i <= c.rows; i++) {
          assertEquals(sum, c.weightSum(0, i), 0.0, "weight prefix " + i);
          if (i < c.rows) {
            sum += w[i];
          }
        }
      }
    }
  }

  private static InputScaling scaling(int d) {
    float[] s = new float[d];
    for (int j = 0; j < d; j++) {
      s[j] = 1f / (0.3f + j);
    }
    s[d - 1] = 0f; // a constant feature
    return new InputScaling(s, new float[d]);
  }

  private ResidentPartition build(Input in, InputScaling scaling, long seed, int partition) {
    return ResidentPartition.build(backend, in.batches, in.d, scaling, SHIFT, LABEL_SCALE, seed, partition,
        1L << 30);
  }

  private ResidentPartition buildEncoded(Input in, InputScaling scaling, long seed, int partition) {
    List<ArrowBatchView> views = new ArrayList<>();
    for (HostBatch b : in.batches) {
      views.add(ArrowBatchView.of(ArrowBatchCodec.encode(b, allocator)));
    }
    return ResidentPartition.buildEncoded(backend, views, in.d, scaling, SHIFT, LABEL_SCALE, seed, partition,
        1L << 30);
  }

  /** The order the resident rows must have: Fisher-Yates over java.util.Random seeded by (seed, partition). */
  private static List<Integer> expectedOrder(int n, long seed, int partition) {
    return expectedOrder(n, SeedMixer.mix(seed, partition, -1));
  }

  private static List<Integer> expectedOrder(int n, long mixedSeed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    Random random = new Random(mixedSeed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    List<Integer> out = new ArrayList<>();
    for (int v : p) {
      out.add(v);
    }
    return out;
  }

  private static void assertRowsAreScaledInputRows(Input in, InputScaling scaling, Resident res, boolean csr) {
    float[] s = scaling.scale();
    assertEquals(in.n(), res.ids.size());
    for (int k = 0; k < res.ids.size(); k++) {
      int id = res.ids.get(k);
      float[] expected = new float[in.d];
      for (int j = 0; j < in.d; j++) {
        expected[j] = in.rows.get(id)[j] * s[j];
      }
      assertArrayEquals(expected, res.rows.get(k), "resident row " + k + " (input row " + id + ")");
      if (csr) {
        for (int j : res.csrColumns.get(k)) {
          assertNotEquals(0f, in.rows.get(id)[j], "CSR keeps only non-zero values");
        }
        long nonZeros = 0;
        for (float v : in.rows.get(id)) {
          nonZeros += v != 0f ? 1 : 0;
        }
        assertEquals(nonZeros, res.csrColumns.get(k).length, "row " + id + " keeps every non-zero value");
      }
    }
    int k = 0;
    for (float[] w : res.weights) {
      for (float v : w) {
        assertEquals((float) (double) in.weights.get(res.ids.get(k++)), v);
      }
    }
  }

  @Test
  void denseRowsAreTheInputRowsScaledInTheSeededOrder() {
    Random r = new Random(1);
    Input in = new Input(6);
    in.dense(r, 5, 0.1);
    in.dense(r, 11, 0.1);
    in.dense(r, 1, 0.1);
    in.dense(r, 0, 0.1);
    in.dense(r, 7, 0.1);
    InputScaling scaling = scaling(6);
    try (ResidentPartition p = build(in, scaling, 42, 3)) {
      assertEquals(ResidentLayout.DENSE, p.layout());
      assertEquals(in.n(), p.rows());
      Resident res = new Resident(p, in.d);
      assertEquals(expectedOrder(in.n(), 42, 3), res.ids);
      assertRowsAreScaledInputRows(in, scaling, res, false);
      double total = in.weights.stream().mapToDouble(Double::doubleValue).sum();
      assertEquals(total, p.weightSum(), 1e-12);
      assertEquals(4L * in.n() * 2 + 4L * in.n() * in.d, p.bytes());
    }
  }

  @Test
  void identityScalingKeepsTheValues() {
    Random r = new Random(2);
    Input in = new Input(5);
    in.dense(r, 30, 0.3);
    InputScaling identity = InputScaling.identity(5);
    try (ResidentPartition p = build(in, identity, 7, 0); ResidentPartition q = buildEncoded(in, identity, 7, 0)) {
      assertRowsAreScaledInputRows(in, identity, new Resident(p, in.d), false);
      assertRowsAreScaledInputRows(in, identity, new Resident(q, in.d), false);
    }
  }

  @Test
  void orderDependsOnSeedAndPartitionOnly() {
    Random r = new Random(3);
    Input in = new Input(3);
    in.dense(r, 40, 0);
    InputScaling s = scaling(3);
    try (ResidentPartition a = build(in, s, 5, 0); ResidentPartition b = buildEncoded(in, s, 5, 0);
        ResidentPartition c = build(in, s, 5, 1); ResidentPartition e = build(in, s, 6, 0)) {
      List<Integer> ida = new Resident(a, 3).ids;
      assertEquals(ida, new Resident(b, 3).ids, "same seed and partition, same order");
      assertNotEquals(ida, new Resident(c, 3).ids, "another partition shuffles differently");
      assertNotEquals(ida, new Resident(e, 3).ids, "another seed shuffles differently");
    }
  }

  @Test
  void sparseInputStaysCsrWithoutZeroValues() {
    Random r = new Random(4);
    Input in = new Input(40);
    in.sparse(r, 25, 6);
    in.sparse(r, 1, 6);
    in.dense(r, 4, 0.9); // a dense batch in a sparse partition: its zeros are dropped too
    in.sparse(r, 13, 6);
    InputScaling scaling = scaling(40);
    for (boolean encoded : new boolean[] {false, true}) {
      try (ResidentPartition p = encoded ? buildEncoded(in, scaling, 9, 2) : build(in, scaling, 9, 2)) {
        assertEquals(ResidentLayout.SPARSE, p.layout());
        Resident res = new Resident(p, in.d);
        assertEquals(expectedOrder(in.n(), 9, 2), res.ids);
        assertRowsAreScaledInputRows(in, scaling, res, true);
      }
    }
  }

  @Test
  void denseEnoughSparseInputIsHeldDense() {
    Random r = new Random(5);
    Input in = new Input(8);
    in.sparse(r, 20, 8);
    in.sparse(r, 9, 8);
    InputScaling scaling = scaling(8);
    for (boolean encoded : new boolean[] {false, true}) {
      try (ResidentPartition p = encoded ? buildEncoded(in, scaling, 1, 0) : build(in, scaling, 1, 0)) {
        assertEquals(ResidentLayout.DENSE, p.layout());
        assertRowsAreScaledInputRows(in, scaling, new Resident(p, in.d), false);
      }
    }
  }

  @Test
  void encodedAndDecodedBuildsAreIdenticalChunkByChunk() {
    Random r = new Random(6);
    for (int variant = 0; variant < 3; variant++) {
      Input in = new Input(12);
      for (int b = 0; b < 4; b++) {
        if (variant == 0) {
          in.dense(r, 3 + r.nextInt(20), 0.2);
        } else {
          in.sparse(r, 3 + r.nextInt(20), variant == 1 ? 2 : 10);
        }
      }
      InputScaling s = scaling(12);
      try (ResidentPartition a = build(in, s, 77, 1); ResidentPartition b = buildEncoded(in, s, 77, 1)) {
        assertEquals(a.layout(), b.layout());
        assertEquals(a.rows(), b.rows());
        assertEquals(a.weightSum(), b.weightSum(), 0.0);
        assertEquals(a.bytes(), b.bytes());
        Resident ra = new Resident(a, 12);
        Resident rb = new Resident(b, 12);
        assertEquals(ra.ids, rb.ids);
        assertEquals(ra.chunkRows, rb.chunkRows);
        for (int k = 0; k < ra.rows.size(); k++) {
          assertArrayEquals(ra.rows.get(k), rb.rows.get(k));
          if (a.layout() == ResidentLayout.SPARSE) {
            assertArrayEquals(ra.csrColumns.get(k), rb.csrColumns.get(k));
          }
        }
      }
    }
  }

  /** Each chunk holds as many rows as fit the element limit, and at least one. */
  private static void assertMaximalChunks(Resident res, Input in, long limit, boolean dense) {
    int k = 0;
    for (int rows : res.chunkRows) {
      assertTrue(rows >= 1);
      long elements = 0;
      for (int i = 0; i < rows; i++) {
        elements += dense ? in.d : in.stored.get(res.ids.get(k + i));
      }
      assertTrue(rows == 1 || elements <= limit, "chunk of " + rows + " rows holds " + elements + " elements");
      k += rows;
      if (k < res.ids.size()) {
        long next = dense ? in.d : in.stored.get(res.ids.get(k));
        assertTrue(elements + next > limit, "the next row would have fitted the chunk");
      }
    }
    assertEquals(in.n(), k);
  }

  @Test
  void chunksRespectTheElementLimit() {
    Random r = new Random(8);
    Input dense = new Input(4);
    dense.dense(r, 7, 0);
    dense.dense(r, 6, 0);
    Input sparse = new Input(30);
    sparse.sparse(r, 40, 9);
    InputScaling id4 = InputScaling.identity(4);
    InputScaling id30 = InputScaling.identity(30);
    for (boolean encoded : new boolean[] {false, true}) {
      try (ResidentPartition p = ResidentPartition.buildFrom(backend, sources(dense, encoded), 4, id4, SHIFT,
          LABEL_SCALE, 3, 0, 1L << 30, 10)) {
        Resident res = new Resident(p, 4);
        assertEquals(List.of(2, 2, 2, 2, 2, 2, 1), res.chunkRows);
        assertMaximalChunks(res, dense, 10, true);
        assertRowsAreScaledInputRows(dense, id4, res, false);
      }
      try (ResidentPartition p = ResidentPartition.buildFrom(backend, sources(sparse, encoded), 30, id30, SHIFT,
          LABEL_SCALE, 3, 0, 1L << 30, 20)) {
        assertEquals(ResidentLayout.SPARSE, p.layout());
        Resident res = new Resident(p, 30);
        assertTrue(res.chunkRows.size() > 3, "several chunks: " + res.chunkRows);
        assertMaximalChunks(res, sparse, 20, false);
        assertRowsAreScaledInputRows(sparse, id30, res, true);
        assertEquals(expectedOrder(sparse.n(), 3, 0), res.ids, "chunking does not change the order");
      }
    }
  }

  private List<RowSource> sources(Input in, boolean encoded) {
    List<RowSource> out = new ArrayList<>();
    for (HostBatch b : in.batches) {
      out.add(encoded ? RowSource.of(ArrowBatchView.of(ArrowBatchCodec.encode(b, allocator))) : RowSource.of(b));
    }
    return out;
  }

  @Test
  void permutationIsFisherYatesOverJavaUtilRandom() {
    for (int n : new int[] {0, 1, 2, 3, 64, 1000, 100_003}) {
      for (long seed : new long[] {0, 42, -7, Long.MIN_VALUE, SeedMixer.mix(42, 1, -1)}) {
        List<Integer> actual = new ArrayList<>();
        for (int v : ResidentPartition.permutation(n, seed)) {
          actual.add(v);
        }
        assertEquals(expectedOrder(n, seed), actual, "n=" + n + " seed=" + seed);
      }
    }
  }

  @Test
  void anEmptyPartitionHasNoChunks() {
    Input in = new Input(3);
    in.dense(new Random(9), 0, 0);
    try (ResidentPartition p = buildEncoded(in, scaling(3), 1, 0)) {
      assertEquals(0, p.rows());
      assertTrue(p.chunks().isEmpty());
      assertFalse(p.weightSum() != 0);
    }
  }
}
