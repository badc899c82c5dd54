package io.sparkgpu.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of {@link ComputeBackend}, checked through the interface only (allocate, upload, read, write, views)
 * so that every backend runs the same suite: subclass, implement {@link #createBackend}, and return a reason from
 * {@link #unavailableReason} when the backend cannot run here (the tests are then skipped with that reason).
 *
 * <p>Every result is compared with a double-precision reference written plainly below. Tolerance: an element passes
 * when {@code |actual - expected| <= REL·magnitude + ABS}, where magnitude is the sum of the absolute values of the
 * terms that produced it (so cancellation does not make the bound meaninglessly tight); REL = 1e-5 (float32
 * rounding over sums of up to ~100 terms), ABS = 1e-6.
 */
public abstract class BackendConformanceTest {
  /** Relative tolerance against the magnitude of the summed terms. */
  protected static final double REL = 1e-5;
  /** Absolute tolerance. */
  protected static final double ABS = 1e-6;

  protected ComputeBackend backend;
  private final List<AutoCloseable> owned = new ArrayList<>();

  /** A new backend; the suite closes it after each test, after closing every matrix it made. */
  protected abstract ComputeBackend createBackend();

  /** Why this backend cannot run here (no device, no driver), or null when it can. */
  protected String unavailableReason() {
    return null;
  }

  @BeforeEach
  void openBackend() {
    String reason = unavailableReason();
    Assumptions.assumeTrue(reason == null, () -> "backend unavailable, skipping: " + reason);
    backend = createBackend();
  }

  @AfterEach
  void closeBackend() throws Exception {
    for (int i = owned.size() - 1; i >= 0; i--) {
      owned.get(i).close();
    }
    owned.clear();
    if (backend != null) {
      backend.close();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private <T extends AutoCloseable> T own(T resource) {
    owned.add(resource);
    return resource;
  }

  protected DenseMatrix up(float[] data, int rows, int cols) {
    return own(backend.upload(data, 0, rows, cols));
  }

  protected DenseMatrix zeros(int rows, int cols) {
    return own(backend.allocate(rows, cols));
  }

  protected float[] get(DenseMatrix m) {
    float[] out = new float[(int) m.size()];
    backend.read(m, out, 0);
    return out;
  }

  protected static float[] uniform(Random r, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return a;
  }

  protected static void assertNear(double expected, double magnitude, double actual, String what) {
    double tol = REL * Math.abs(magnitude) + ABS;
    if (!(Math.abs(actual - expected) <= tol)) {
      fail(what + ": expected " + expected + " but got " + actual + " (|diff| " + Math.abs(actual - expected)
          + " > tolerance " + tol + ")");
    }
  }

  /** A sparse m x k matrix in CSR form, with its dense double equivalent. */
  protected record Csr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values, double[][] dense) {}

  /**
   * Random CSR: rows with index % 4 == 1 and the last row are empty, the others hold ~40% distinct columns in a
   * shuffled (unsorted) order.
   */
  protected static Csr randomCsr(Random r, int m, int k) {
    double[][] dense = new double[m][k];
    int[] rowPtr = new int[m + 1];
    List<Integer> cols = new ArrayList<>();
    List<Float> vals = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      if (i % 4 != 1 && !(i == m - 1 && m > 1)) {
        List<Integer> row = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          if (r.nextDouble() < 0.4) {
            row.add(j);
          }
        }
        java.util.Collections.shuffle(row, r);
        for (int j : row) {
          float v = (float) (2 * r.nextDouble() - 1);
          cols.add(j);
          vals.add(v);
          dense[i][j] = v;
        }
      }
      rowPtr[i + 1] = cols.size();
    }
    int[] ci = new int[cols.size()];
    float[] cv = new float[vals.size()];
    for (int p = 0; p < ci.length; p++) {
      ci[p] = cols.get(p);
      cv[p] = vals.get(p);
    }
    return new Csr(m, k, rowPtr, ci, cv, dense);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Memory: allocate, upload, read, write, views, copy, fill

  @Test
  void allocateIsZeroFilledAlsoAfterMemoryWasUsed() {
    try (DenseMatrix first = backend.allocate(67, 33)) {
      backend.fill(first, 3.5f);
    }
    DenseMatrix m = zeros(67, 33);
    assertEquals(67, m.rows());
    assertEquals(33, m.cols());
    assertEquals(67L * 33, m.size());
    for (float v : get(m)) {
      assertTrue(v == 0f, "allocate must return zeros, found " + v);
    }
  }

  @Test
  void uploadReadAndWriteHonourOffsets() {
    Random r = new Random(1);
    float[] host = uniform(r, 100, -5, 5);
    DenseMatrix m = own(backend.upload(host, 9, 7, 11)); // elements [9, 86)
    assertArrayEquals(Arrays.copyOfRange(host, 9, 86), get(m));

    float[] dst = new float[90];
    Arrays.fill(dst, -42f);
    backend.read(m, dst, 3);
    for (int i = 0; i < 90; i++) {
      float expected = i >= 3 && i < 80 ? host[9 + i - 3] : -42f;
      assertEquals(expected, dst[i], "read into dst[" + i + "]");
    }

    // write through a view: only the view's elements change
    float[] src = uniform(r, 40, 10, 20);
    DenseMatrix view = m.view(13, 3, 5); // elements [13, 28) of m
    backend.write(src, 6, view);
    float[] after = get(m);
    for (int i = 0; i < 77; i++) {
      float expected = i >= 13 && i < 28 ? src[6 + i - 13] : host[9 + i];
      assertEquals(expected, after[i], "element " + i + " after writing a view");
    }
    assertArrayEquals(Arrays.copyOfRange(src, 6, 21), get(view));
  }

  @Test
  void uploadOwnedHoldsTheData() {
    float[] data = uniform(new Random(2), 35, -1, 1);
    float[] expected = data.clone();
    DenseMatrix m = own(backend.uploadOwned(data, 5, 7));
    assertArrayEquals(expected, get(m));
  }

  @Test
  void viewsAndRowRangesAddressTheParentsElements() {
    float[] host = uniform(new Random(3), 8 * 9, -1, 1);
    DenseMatrix m = up(host, 8, 9);
    DenseMatrix rows = m.rowRange(3, 4);
    assertEquals(4, rows.rows());
    assertEquals(9, rows.cols());
    assertArrayEquals(Arrays.copyOfRange(host, 27, 63), get(rows));
    DenseMatrix v = rows.view(5, 2, 10); // a view of a view: parent elements [32, 52)
    assertArrayEquals(Arrays.copyOfRange(host, 32, 52), get(v));
  }

  @Test
  void copyAndFillTouchOnlyTheirTarget() {
    Random r = new Random(4);
    float[] a = uniform(r, 60, -1, 1);
    float[] b = uniform(r, 60, 5, 6);
    DenseMatrix ma = up(a, 6, 10);
    DenseMatrix mb = up(b, 6, 10);
    backend.copy(ma.rowRange(1, 2), mb.rowRange(3, 2)); // rows 1-2 of a into rows 3-4 of b
    float[] got = get(mb);
    for (int i = 0; i < 60; i++) {
      float expected = i >= 30 && i < 50 ? a[i - 20] : b[i];
      assertEquals(expected, got[i], "copy, element " + i);
    }
    backend.fill(mb.view(7, 1, 13), -2.25f);
    float[] filled = get(mb);
    for (int i = 0; i < 60; i++) {
      float expected = i >= 7 && i < 20 ? -2.25f : got[i];
      assertEquals(expected, filled[i], "fill, element " + i);
    }
    backend.fill(mb, 0f);
    for (float v : get(mb)) {
      assertTrue(v == 0f);
    }
  }

  @Test
  void sumOfSquaresMatchesADoubleSum() {
    Random r = new Random(5);
    float[] host = uniform(r, 10_007 + 40, -3, 3);
    DenseMatrix m = up(host, 1, host.length);
    DenseMatrix v = m.view(17, 10_007, 1);
    double expected = 0;
    for (int i = 17; i < 17 + 10_007; i++) {
      expected += (double) host[i] * host[i];
    }
    assertNear(expected, expected, backend.sumOfSquares(v), "sumOfSquares of a view");
    DenseMatrix one = up(new float[] {-3f}, 1, 1);
    assertEquals(9.0, backend.sumOfSquares(one), 1e-12);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // gemm

  static Stream<Arguments> gemmCases() {
    int[][] shapes = {
        {1, 1, 1}, {1, 33, 7}, {33, 1, 7}, {7, 65, 33}, {65, 7, 33}, {17, 31, 65}, {32, 16, 8}, {3, 5, 0},
        {1, 1, 0}};
    float[][] scalars = {{1f, 0f}, {-0.75f, 0.5f}, {2f, 1f}};
    List<Arguments> cases = new ArrayList<>();
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int[] s : shapes) {
          for (float[] ab : scalars) {
            cases.add(Arguments.of(ta, tb, s[0], s[1], s[2], ab[0], ab[1]));
          }
        }
      }
    }
    return cases.stream();
  }

  /** op(A) as an m x k double matrix, from A stored row-major as m x k, or as k x m when transposed. */
  private static double[][] op(float[] a, boolean trans, int m, int k, int offset) {
    double[][] out = new double[m][k];
    for (int i = 0; i < m; i++) {
      for (int l = 0; l < k; l++) {
        out[i][l] = trans ? a[offset + l * m + i] : a[offset + i * k + l];
      }
    }
    return out;
  }

  private void checkGemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, float[] a, int aOff,
      float[] b, int bOff, float[] c0, int cOff, float[] result, String what) {
    double[][] opA = op(a, ta, m, k, aOff);
    double[][] opB = op(b, tb, k, n, bOff);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double mag = 0;
        for (int l = 0; l < k; l++) {
          sum += opA[i][l] * opB[l][j];
          mag += Math.abs(opA[i][l] * opB[l][j]);
        }
        double c = c0[cOff + i * n + j];
        double expected = alpha * sum + beta * c;
        double magnitude = Math.abs(alpha) * mag + Math.abs(beta * c);
        assertNear(expected, magnitude, result[i * n + j], what + " C[" + i + "," + j + "]");
      }
    }
  }

  @ParameterizedTest(name = "transA={0} transB={1} m={2} n={3} k={4} alpha={5} beta={6}")
  @MethodSource("gemmCases")
  void gemmMatchesATripleLoop(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
    Random r = new Random(31L * m + 17L * n + k + (ta ? 1000 : 0) + (tb ? 2000 : 0));
    float[] a = uniform(r, m * k, -1, 1);
    float[] b = uniform(r, k * n, -1, 1);
    float[] c = uniform(r, m * n, -1, 1); // also with beta = 0: the old C must not leak into the result
    DenseMatrix ma = up(a, ta ? k : m, ta ? m : k);
    DenseMatrix mb = up(b, tb ? n : k, tb ? k : n);
    DenseMatrix mc = up(c, m, n);
    backend.gemm(ta, tb, alpha, ma, mb, beta, mc);
    checkGemm(ta, tb, m, n, k, alpha, beta, a, 0, b, 0, c, 0, get(mc), "gemm");
  }

  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("transposePairs")
  void gemmOnViewsAtOffsetsLeavesTheRestAlone(boolean ta, boolean tb) {
    Random r = new Random(7 + (ta ? 1 : 0) + (tb ? 2 : 0));
    int m = 9;
    int n = 33;
    int k = 7;
    float[] pa = uniform(r, m * k + 50, -1, 1);
    float[] pb = uniform(r, k * n + 50, -1, 1);
    float[] pc = uniform(r, (m + 5) * n, -1, 1);
    DenseMatrix parentA = up(pa, 1, pa.length);
    DenseMatrix parentB = up(pb, 1, pb.length);
    DenseMatrix parentC = up(pc, m + 5, n);
    DenseMatrix a = parentA.view(13, ta ? k : m, ta ? m : k);
    DenseMatrix b = parentB.view(29, tb ? n : k, tb ? k : n);
    DenseMatrix c = parentC.rowRange(3, m);
    backend.gemm(ta, tb, 1.5f, a, b, -0.5f, c);
    checkGemm(ta, tb, m, n, k, 1.5f, -0.5f, pa, 13, pb, 29, pc, 3 * n, get(c), "gemm on views");
    float[] all = get(parentC);
    for (int i = 0; i < all.length; i++) {
      if (i < 3 * n || i >= (3 + m) * n) {
        assertEquals(pc[i], all[i], "element " + i + " outside C's view changed");
      }
    }
    assertArrayEquals(pa, get(parentA), "gemm must not write A");
    assertArrayEquals(pb, get(parentB), "gemm must not write B");
  }

  static Stream<Arguments> transposePairs() {
    return Stream.of(Arguments.of(false, false), Arguments.of(false, true), Arguments.of(true, false),
        Arguments.of(true, true));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // csrGemm

  static Stream<Arguments> csrCases() {
    int[][] shapes = {{1, 1, 1}, {9, 7, 5}, {33, 65, 3}, {65, 33, 1}, {8, 16, 33}};
    float[][] scalars = {{1f, 0f}, {-0.75f, 0.5f}};
    List<Arguments> cases = new ArrayList<>();
    for (boolean t : new boolean[] {false, true}) {
      for (int[] s : shapes) {
        for (float[] ab : scalars) {
          cases.add(Arguments.of(t, s[0], s[1], s[2], ab[0], ab[1]));
        }
      }
    }
    return cases.stream();
  }

  /** Checks C = alpha·op(A[rowStart, rowStart + rows))·B + beta·C0 with A's dense double form. */
  private void checkCsrGemm(boolean trans, Csr a, int rowStart, int rows, float alpha, float[] b, int bOff, int n,
      float beta, float[] c0, int cOff, float[] result, String what) {
    int m = trans ? a.cols() : rows;
    int k = trans ? rows : a.cols();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double mag = 0;
        for (int l = 0; l < k; l++) {
          double av = trans ? a.dense()[rowStart + l][i] : a.dense()[rowStart + i][l];
          double t = av * b[bOff + l * n + j];
          sum += t;
          mag += Math.abs(t);
        }
        double c = c0[cOff + i * n + j];
        assertNear(alpha * sum + beta * c, Math.abs(alpha) * mag + Math.abs(beta * c), result[i * n + j],
            what + " C[" + i + "," + j + "]");
      }
    }
  }

  @ParameterizedTest(name = "transA={0} m={1} k={2} n={3} alpha={4} beta={5}")
  @MethodSource("csrCases")
  void csrGemmMatchesTheDenseProduct(boolean trans, int m, int k, int n, float alpha, float beta) {
    Random r = new Random(97L * m + 13L * k + n + (trans ? 5000 : 0));
    Csr a = randomCsr(r, m, k);
    CsrMatrix ma = own(backend.uploadCsr(m, k, a.rowPtr(), a.colIndices(), a.values()));
    assertEquals(m, ma.rows());
    assertEquals(k, ma.cols());
    assertEquals(a.rowPtr()[m], ma.nonZeros());
    int bRows = trans ? m : k;
    int cRows = trans ? k : m;
    float[] b = uniform(r, bRows * n, -1, 1);
    float[] c = uniform(r, cRows * n, -1, 1);
    DenseMatrix mb = up(b, bRows, n);
    DenseMatrix mc = up(c, cRows, n);
    backend.csrGemm(trans, alpha, ma, mb, beta, mc);
    checkCsrGemm(trans, a, 0, m, alpha, b, 0, n, beta, c, 0, get(mc), "csrGemm");
  }

  @ParameterizedTest(name = "transA={0}")
  @ValueSource(booleans = {false, true})
  void csrGemmOnRowRangesAndDenseViews(boolean trans) {
    Random r = new Random(trans ? 11 : 12);
    int m = 21;
    int k = 13;
    int n = 6;
    Csr a = randomCsr(r, m, k);
    CsrMatrix full = own(backend.uploadCsr(m, k, a.rowPtr(), a.colIndices(), a.values()));
    // [5, 17) starts at an empty row (5 % 4 == 1); [17, 21) ends with the empty last row
    for (int[] range : new int[][] {{5, 12}, {17, 4}, {0, 1}, {1, 1}}) {
      int start = range[0];
      int rows = range[1];
      CsrMatrix part = full.rowRange(start, rows);
      assertEquals(rows, part.rows());
      assertEquals(k, part.cols());
      assertEquals(a.rowPtr()[start + rows] - a.rowPtr()[start], part.nonZeros(), "nonZeros of a row range");
      int bRows = trans ? rows : k;
      int cRows = trans ? k : rows;
      float[] pb = uniform(r, (bRows + 3) * n, -1, 1);
      float[] pc = uniform(r, (cRows + 4) * n, -1, 1);
      DenseMatrix parentB = up(pb, bRows + 3, n);
      DenseMatrix parentC = up(pc, cRows + 4, n);
      DenseMatrix b = parentB.rowRange(2, bRows);
      DenseMatrix c = parentC.rowRange(1, cRows);
      backend.csrGemm(trans, 0.5f, part, b, 2f, c);
      String what = "csrGemm rows [" + start + ", " + (start + rows) + ")";
      checkCsrGemm(trans, a, start, rows, 0.5f, pb, 2 * n, n, 2f, pc, n, get(c), what);
      float[] all = get(parentC);
      for (int i = 0; i < all.length; i++) {
        if (i < n || i >= (1 + cRows) * n) {
          assertEquals(pc[i], all[i], what + ": element " + i + " outside C's view changed");
        }
      }
    }
  }

  @Test
  void uploadCsrOwnedHoldsTheSameMatrix() {
    Random r = new Random(16);
    Csr a = randomCsr(r, 9, 7);
    CsrMatrix copied = own(backend.uploadCsr(9, 7, a.rowPtr(), a.colIndices(), a.values()));
    CsrMatrix owned = own(backend.uploadCsrOwned(9, 7, a.rowPtr().clone(), a.colIndices().clone(),
        a.values().clone()));
    assertEquals(copied.nonZeros(), owned.nonZeros());
    float[] b = uniform(r, 7 * 3, -1, 1);
    DenseMatrix mb = up(b, 7, 3);
    DenseMatrix c1 = zeros(9, 3);
    DenseMatrix c2 = zeros(9, 3);
    backend.csrGemm(false, 1f, copied, mb, 0f, c1);
    backend.csrGemm(false, 1f, owned, mb, 0f, c2);
    assertArrayEquals(get(c1), get(c2));
    checkCsrGemm(false, a, 0, 9, 1f, b, 0, 3, 0f, new float[27], 0, get(c2), "csrGemm of an owned upload");
  }

  @Test
  void csrGemmOfAnAllEmptyMatrixOnlyScalesC() {
    int m = 4;
    int k = 3;
    int n = 2;
    CsrMatrix a = own(backend.uploadCsr(m, k, new int[m + 1], new int[0], new float[0]));
    assertEquals(0, a.nonZeros());
    float[] c = {1, 2, 3, 4, 5, 6, 7, 8};
    DenseMatrix mb = up(uniform(new Random(13), k * n, -1, 1), k, n);
    DenseMatrix mc = up(c, m, n);
    backend.csrGemm(false, 3f, a, mb, 0.5f, mc);
    float[] got = get(mc);
    for (int i = 0; i < c.length; i++) {
      assertEquals(0.5 * c[i], got[i], 1e-7, "element " + i);
    }
    DenseMatrix bt = up(uniform(new Random(14), m * n, -1, 1), m, n);
    DenseMatrix ct = up(uniform(new Random(15), k * n, -1, 1), k, n);
    backend.csrGemm(true, 3f, a, bt, 0f, ct);
    for (float v : get(ct)) {
      assertTrue(v == 0f, "beta = 0 and no non-zeros must give 0, got " + v);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // addRowVector, columnSums

  @Test
  void addRowVectorAddsTheBiasToEveryRowOfAView() {
    Random r = new Random(21);
    int rows = 9;
    int cols = 33;
    float[] z = uniform(r, (rows + 2) * cols, -1, 1);
    float[] params = uniform(r, cols + 20, -1, 1);
    DenseMatrix parentZ = up(z, rows + 2, cols);
    DenseMatrix parentP = up(params, 1, params.length);
    DenseMatrix bias = parentP.view(11, 1, cols);
    backend.addRowVector(parentZ.rowRange(1, rows), bias);
    float[] got = get(parentZ);
    for (int i = 0; i < rows + 2; i++) {
      for (int j = 0; j < cols; j++) {
        double old = z[i * cols + j];
        boolean inView = i >= 1 && i <= rows;
        double expected = inView ? old + params[11 + j] : old;
        assertNear(expected, Math.abs(old) + Math.abs(params[11 + j]), got[i * cols + j],
            "z[" + i + "," + j + "]");
      }
    }
    assertArrayEquals(params, get(parentP), "the bias must not change");
  }

  @Test
  void columnSumsWithAlphaAndBeta() {
    Random r = new Random(22);
    int rows = 65;
    int cols = 7;
    float[] x = uniform(r, (rows + 1) * cols, -2, 2);
    DenseMatrix parentX = up(x, rows + 1, cols);
    DenseMatrix view = parentX.rowRange(1, rows);
    float[][] scalars = {{1f, 0f}, {0.25f, -1.5f}, {-2f, 1f}};
    for (float[] ab : scalars) {
      float[] out0 = uniform(r, cols + 10, -1, 1);
      DenseMatrix parentOut = up(out0, 1, out0.length);
      DenseMatrix out = parentOut.view(4, 1, cols);
      backend.columnSums(ab[0], view, ab[1], out);
      float[] got = get(parentOut);
      for (int j = 0; j < cols; j++) {
        double sum = 0;
        double mag = 0;
        for (int i = 1; i <= rows; i++) {
          sum += x[i * cols + j];
          mag += Math.abs(x[i * cols + j]);
        }
        double expected = ab[0] * sum + ab[1] * out0[4 + j];
        assertNear(expected, Math.abs(ab[0]) * mag + Math.abs(ab[1] * out0[4 + j]), got[4 + j],
            "alpha=" + ab[0] + " beta=" + ab[1] + " column " + j);
      }
      for (int i = 0; i < out0.length; i++) {
        if (i < 4 || i >= 4 + cols) {
          assertEquals(out0[i], got[i], "element " + i + " outside the output view changed");
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Activations

  private static final float[] ACTIVATION_INPUTS = {
      -100f, -30f, -5f, -1f, -0.5f, -1e-3f, 0f, 1e-3f, 0.5f, 1f, 5f, 30f, 100f, 2.5f, -2.5f, 0.1f, -0.1f};

  private static double f(Activation a, double z) {
    switch (a) {
      case IDENTITY:
        return z;
      case RELU:
        return Math.max(0, z);
      case SIGMOID:
        return 1 / (1 + Math.exp(-z));
      case TANH:
        return Math.tanh(z);
      default:
        throw new AssertionError(a);
    }
  }

  private static double derivative(Activation a, double z) {
    switch (a) {
      case IDENTITY:
        return 1;
      case RELU:
        return z > 0 ? 1 : 0;
      case SIGMOID:
        return f(a, z) * (1 - f(a, z));
      case TANH:
        return 1 - Math.tanh(z) * Math.tanh(z);
      default:
        throw new AssertionError(a);
    }
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void activateMatchesTheFormula(Activation a) {
    Random r = new Random(31);
    int n = ACTIVATION_INPUTS.length;
    float[] z = new float[56]; // the fixed inputs, then random ones: a 4 x 14 view
    System.arraycopy(ACTIVATION_INPUTS, 0, z, 0, n);
    System.arraycopy(uniform(r, 56 - n, -4, 4), 0, z, n, 56 - n);
    float[] padded = new float[z.length + 6];
    Arrays.fill(padded, 77f);
    System.arraycopy(z, 0, padded, 3, z.length);
    DenseMatrix parent = up(padded, 1, padded.length);
    backend.activate(a, parent.view(3, 4, 14));
    float[] got = get(parent);
    for (int i = 0; i < z.length; i++) {
      double expected = f(a, z[i]);
      float v = got[3 + i];
      assertTrue(Float.isFinite(v), a + "(" + z[i] + ") is " + v);
      assertNear(expected, Math.abs(expected), v, a + "(" + z[i] + ")");
    }
    for (int i : new int[] {0, 1, 2, padded.length - 3, padded.length - 2, padded.length - 1}) {
      assertEquals(77f, got[i], "element " + i + " outside the view changed");
    }
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void activationBackwardMultipliesByTheDerivative(Activation a) {
    Random r = new Random(32);
    int n = ACTIVATION_INPUTS.length;
    float[] z = new float[n + 47];
    System.arraycopy(ACTIVATION_INPUTS, 0, z, 0, n);
    System.arraycopy(uniform(r, 47, -4, 4), 0, z, n, 47);
    float[] g = uniform(r, z.length, -2, 2);
    DenseMatrix out = up(z, 8, 8);
    backend.activate(a, out);
    DenseMatrix grad = up(g, 8, 8);
    backend.activationBackward(a, out, grad);
    float[] got = get(grad);
    for (int i = 0; i < z.length; i++) {
      double expected = g[i] * derivative(a, z[i]);
      assertNear(expected, Math.abs(g[i]), got[i], a + "'(" + z[i] + ")·" + g[i]);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Losses

  private static double softplus(double z) {
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }

  private static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** Outputs, labels and weights for one loss: k outputs per row, extreme values in the first rows. */
  private record LossData(int rows, int k, float[] z, float[] y, float[] w) {}

  private static LossData lossData(Loss loss, Random r) {
    int rows = 41;
    int k = loss == Loss.SOFTMAX_CROSS_ENTROPY ? 5 : 1;
    float[] z = uniform(r, rows * k, -4, 4);
    float[] y = new float[rows];
    float[] w = uniform(r, rows, 0.1, 3);
    w[3] = 0f;
    w[10] = 0f;
    float[] extremes = {1e4f, -1e4f, 90f, -90f, 35f, -35f};
    for (int i = 0; i < rows; i++) {
      switch (loss) {
        case SQUARED_ERROR:
          y[i] = (float) (4 * r.nextGaussian());
          break;
        case LOGISTIC:
          y[i] = r.nextBoolean() ? 1f : 0f;
          break;
        default:
          y[i] = r.nextInt(k);
      }
    }
    if (loss == Loss.SQUARED_ERROR) {
      z[0] = 1e3f;
      z[1] = -1e3f;
    } else if (loss == Loss.LOGISTIC) {
      for (int i = 0; i < extremes.length; i++) {
        z[i] = extremes[i];
        y[i] = i % 3 == 0 ? 1f : 0f; // both the saturated-right and saturated-wrong cases
      }
    } else {
      // rows of huge logits, both the label's and others'
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < k; j++) {
          z[i * k + j] = extremes[(i + j) % extremes.length];
        }
      }
    }
    return new LossData(rows, k, z, y, w);
  }

  @ParameterizedTest
  @EnumSource(Loss.class)
  void lossAndGradientMatchTheFormulas(Loss loss) {
    Random r = new Random(41 + loss.ordinal());
    LossData d = lossData(loss, r);
    int rows = d.rows();
    int k = d.k();
    float gradScale = 0.37f;
    // outputs, labels, weights and gradient as row ranges of larger matrices, as the trainer passes them
    float[] zPad = new float[(rows + 2) * k];
    System.arraycopy(d.z(), 0, zPad, 2 * k, rows * k);
    float[] yPad = new float[rows + 3];
    System.arraycopy(d.y(), 0, yPad, 3, rows);
    float[] wPad = new float[rows + 1];
    System.arraycopy(d.w(), 0, wPad, 1, rows);
    float[] gPad = uniform(r, (rows + 4) * k, 50, 60);
    DenseMatrix z = up(zPad, rows + 2, k).rowRange(2, rows);
    DenseMatrix y = up(yPad, rows + 3, 1).rowRange(3, rows);
    DenseMatrix w = up(wPad, rows + 1, 1).rowRange(1, rows);
    DenseMatrix gParent = up(gPad, rows + 4, k);
    DenseMatrix g = gParent.rowRange(4, rows);

    double total = backend.lossAndGradient(loss, z, y, w, gradScale, g);

    float[] got = get(g);
    double expectedTotal = 0;
    double magnitude = 0;
    for (int i = 0; i < rows; i++) {
      double wi = d.w()[i];
      double yi = d.y()[i];
      double[] grad = new double[k];
      double l;
      if (loss == Loss.SQUARED_ERROR) {
        double res = d.z()[i] - yi;
        l = 0.5 * res * res;
        grad[0] = res;
      } else if (loss == Loss.LOGISTIC) {
        double zi = d.z()[i];
        l = softplus(zi) - yi * zi;
        grad[0] = sigmoid(zi) - yi;
      } else {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
          max = Math.max(max, d.z()[i * k + j]);
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
          s += Math.exp(d.z()[i * k + j] - max);
        }
        double lse = max + Math.log(s);
        l = lse - d.z()[i * k + (int) yi];
        for (int j = 0; j < k; j++) {
          grad[j] = Math.exp(d.z()[i * k + j] - lse) - (j == (int) yi ? 1 : 0);
        }
      }
      expectedTotal += wi * l;
      magnitude += Math.abs(wi * l);
      for (int j = 0; j < k; j++) {
        float v = got[i * k + j];
        String what = loss + " gradient row " + i + " output " + j + " (z=" + d.z()[i * k + j] + ")";
        assertTrue(Float.isFinite(v), what + " is " + v);
        if (wi == 0) {
          assertTrue(v == 0f, what + ": a row of weight 0 must have gradient 0, got " + v);
        } else {
          double expected = gradScale * wi * grad[j];
          double mag = Math.abs(gradScale * wi) * (loss == Loss.SQUARED_ERROR
              ? Math.abs(d.z()[i]) + Math.abs(yi) : 1.0);
          assertNear(expected, mag, v, what);
        }
      }
    }
    assertTrue(Double.isFinite(total), "loss is " + total);
    assertNear(expectedTotal, magnitude, total, loss + " total weighted loss");
    float[] all = get(gParent);
    for (int i = 0; i < 4 * k; i++) {
      assertEquals(gPad[i], all[i], "element " + i + " outside the gradient's view changed");
    }
  }

  @ParameterizedTest
  @EnumSource(Loss.class)
  void outputTransformMatchesTheFormulas(Loss loss) {
    LossData d = lossData(loss, new Random(51 + loss.ordinal()));
    int rows = d.rows();
    int k = d.k();
    float[] pad = new float[(rows + 1) * k];
    Arrays.fill(pad, 0, k, 123f);
    System.arraycopy(d.z(), 0, pad, k, rows * k);
    DenseMatrix parent = up(pad, rows + 1, k);
    backend.outputTransform(loss, parent.rowRange(1, rows));
    float[] got = get(parent);
    for (int i = 0; i < rows; i++) {
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, d.z()[i * k + j]);
      }
      for (int j = 0; j < k; j++) {
        sum += Math.exp(d.z()[i * k + j] - max);
      }
      double rowTotal = 0;
      for (int j = 0; j < k; j++) {
        double zi = d.z()[i * k + j];
        double expected = loss == Loss.SQUARED_ERROR ? zi
            : loss == Loss.LOGISTIC ? sigmoid(zi) : Math.exp(zi - max) / sum;
        float v = got[k + i * k + j];
        assertTrue(Float.isFinite(v), loss + " output row " + i + " is " + v);
        assertNear(expected, Math.abs(expected), v, loss + " output row " + i + " column " + j);
        rowTotal += v;
      }
      if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
        assertEquals(1.0, rowTotal, 1e-5, "softmax row " + i + " sums to 1");
      }
    }
    for (int j = 0; j < k; j++) {
      assertEquals(123f, got[j], "the row before the view changed");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Optimizer

  /**
   * The documented update rule for one element, in double precision: returns {w, state0, state1, w before the L1
   * step, L1 threshold}.
   */
  private static double[] referenceStep(OptimizerStep s, double w, double g, double st0, double st1, double l2,
      double l1) {
    double lr = s.learningRate();
    double gi = g + l2 * w;
    if (s.kind() == OptimizerKind.SGD) {
      double v = s.momentum() * st0 + gi;
      double wi = w - lr * v;
      double threshold = lr * l1 / (1 - s.momentum());
      return new double[] {shrink(wi, threshold), v, 0, wi, threshold};
    }
    double m = s.beta1() * st0 + (1 - s.beta1()) * gi;
    double v = s.beta2() * st1 + (1 - s.beta2()) * gi * gi;
    double mHat = m / (1 - Math.pow(s.beta1(), s.step()));
    double vHat = v / (1 - Math.pow(s.beta2(), s.step()));
    double denom = Math.sqrt(vHat) + s.epsilon();
    double wi = w - lr * mHat / denom;
    return new double[] {shrink(wi, lr * l1 / denom), m, v, wi, lr * l1 / denom};
  }

  private static double shrink(double w, double t) {
    return Math.signum(w) * Math.max(Math.abs(w) - t, 0);
  }

  static Stream<Arguments> optimizerCases() {
    return Stream.of(Arguments.of("sgd", 0f, 1.0), Arguments.of("momentum", 0.9f, 1.0),
        Arguments.of("adam", 0f, 1.0), Arguments.of("adam", 0f, 1000.0));
  }

  @ParameterizedTest(name = "{0} momentum={1} first step={2}")
  @MethodSource("optimizerCases")
  void optimizerStepFollowsTheDocumentedRule(String name, float momentum, double firstStep) {
    OptimizerKind kind = OptimizerKind.fromName(name);
    Random r = new Random(61 + name.hashCode() + (long) firstStep);
    int n = 37;
    int slots = kind.stateSlots();
    float[] w = uniform(r, n, -1, 1);
    float[] l2 = uniform(r, n, 0, 0.5);
    float[] l1 = uniform(r, n, 0, 0.3);
    for (int i = 0; i < n; i += 3) {
      l2[i] = 0f;
    }
    for (int i = 1; i < n; i += 4) {
      l1[i] = 0f;
    }
    for (int i = 2; i < n; i += 5) {
      w[i] = (float) (0.003 * (r.nextDouble() - 0.5)); // small weights that L1 sets to zero
    }
    float[] st = new float[n * slots];
    if (firstStep > 1 || momentum > 0) {
      // a step in the middle of training: state carried over from earlier steps
      for (int i = 0; i < n; i++) {
        st[i] = (float) (0.2 * r.nextGaussian());
        if (slots == 2) {
          st[n + i] = (float) (0.05 * r.nextDouble());
        }
      }
    }
    DenseMatrix params = up(w, 1, n);
    DenseMatrix state = up(st, slots, n);
    DenseMatrix ml2 = up(l2, 1, n);
    DenseMatrix ml1 = up(l1, 1, n);
    double[] rw = new double[n];
    double[] rs0 = new double[n];
    double[] rs1 = new double[n];
    for (int i = 0; i < n; i++) {
      rw[i] = w[i];
      rs0[i] = st[i];
      rs1[i] = slots == 2 ? st[n + i] : 0;
    }
    int clearlyZeroed = 0;
    for (int t = 0; t < 3; t++) {
      float[] g = uniform(r, n, -0.5, 0.5);
      g[4] = 0f;
      DenseMatrix grad = up(g, 1, n);
      OptimizerStep step = kind == OptimizerKind.ADAM ? OptimizerStep.adam(0.05f, firstStep + t)
          : OptimizerStep.sgd(0.1f, momentum);
      backend.optimizerStep(step, params, grad, state, ml2, ml1);
      float[] gotW = get(params);
      float[] gotS = get(state);
      for (int i = 0; i < n; i++) {
        double[] ref = referenceStep(step, rw[i], g[i], rs0[i], rs1[i], l2[i], l1[i]);
        String what = name + " step " + (firstStep + t) + " element " + i;
        double stepMag = Math.abs(rw[i]) + Math.abs(ref[3]) + Math.abs(rw[i] - ref[3]) + ref[4];
        assertNear(ref[0], stepMag, gotW[i], what + " parameter");
        double gi = Math.abs(g[i]) + Math.abs(l2[i] * rw[i]);
        assertNear(ref[1], Math.abs(ref[1]) + gi + Math.abs(rs0[i]), gotS[i], what + " state 0");
        if (slots == 2) {
          assertNear(ref[2], ref[2], gotS[n + i], what + " state 1");
        }
        // the proximal step gives exact zeros, not tiny values, for weights well inside the threshold
        if (Math.abs(ref[3]) < 0.5 * ref[4]) {
          assertTrue(gotW[i] == 0f, what + ": L1 must set the parameter to exactly 0, got " + gotW[i]);
          clearlyZeroed++;
        }
        rw[i] = ref[0];
        rs0[i] = ref[1];
        rs1[i] = ref[2];
      }
    }
    assertTrue(clearlyZeroed > 0, "the data must exercise the L1 shrink to zero");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Argument errors

  @Test
  void shapeErrorsRaiseIllegalArgumentException() {
    DenseMatrix a34 = zeros(3, 4);
    DenseMatrix b52 = zeros(5, 2);
    DenseMatrix b42 = zeros(4, 2);
    DenseMatrix c32 = zeros(3, 2);
    DenseMatrix c23 = zeros(2, 3);
    assertThrows(IllegalArgumentException.class, () -> backend.gemm(false, false, 1f, a34, b52, 0f, c32),
        "gemm with inner dimensions 4 and 5");
    assertThrows(IllegalArgumentException.class, () -> backend.gemm(false, false, 1f, a34, b42, 0f, c23),
        "gemm with C of the wrong shape");
    assertThrows(IllegalArgumentException.class, () -> backend.gemm(true, false, 1f, a34, b42, 0f, zeros(4, 2)),
        "gemm with op(A) = Aᵀ (4 x 3) and B of 4 rows");
    assertThrows(IllegalArgumentException.class, () -> backend.gemm(false, true, 1f, a34, b42, 0f, c32),
        "gemm with op(B) = Bᵀ (2 x 4) after A (3 x 4)");

    CsrMatrix s34 = own(backend.uploadCsr(3, 4, new int[] {0, 1, 1, 2}, new int[] {3, 0}, new float[] {1f, 2f}));
    assertThrows(IllegalArgumentException.class, () -> backend.csrGemm(false, 1f, s34, zeros(3, 2), 0f, c32),
        "csrGemm with B of 3 rows for A of 4 columns");
    assertThrows(IllegalArgumentException.class, () -> backend.csrGemm(false, 1f, s34, b42, 0f, zeros(3, 3)),
        "csrGemm with C of the wrong width");
    assertThrows(IllegalArgumentException.class, () -> backend.csrGemm(true, 1f, s34, zeros(3, 2), 0f, c32),
        "csrGemm with Aᵀ (4 x 3) and C of 3 rows");
    assertThrows(IllegalArgumentException.class,
        () -> backend.uploadCsr(3, 4, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1f, 1f}),
        "uploadCsr with 3 row pointers for 3 rows");

    assertThrows(IllegalArgumentException.class, () -> backend.copy(c32, c23), "copy between 3 x 2 and 2 x 3");
    assertThrows(IllegalArgumentException.class, () -> backend.addRowVector(c32, zeros(1, 3)),
        "addRowVector with a bias of 3 for 2 columns");
    assertThrows(IllegalArgumentException.class, () -> backend.addRowVector(c23, zeros(1, 2)),
        "addRowVector with a bias of 2 for 3 columns");
    assertThrows(IllegalArgumentException.class, () -> backend.columnSums(1f, c32, 0f, zeros(1, 3)),
        "columnSums into 3 outputs for 2 columns");
    assertThrows(IllegalArgumentException.class, () -> backend.columnSums(1f, c23, 0f, zeros(1, 2)),
        "columnSums into 2 outputs for 3 columns");
    assertThrows(IllegalArgumentException.class,
        () -> backend.activationBackward(Activation.TANH, c32, c23), "activationBackward with different shapes");

    DenseMatrix y3 = zeros(3, 1);
    DenseMatrix y2 = zeros(2, 1);
    DenseMatrix z31 = zeros(3, 1);
    assertThrows(IllegalArgumentException.class,
        () -> backend.lossAndGradient(Loss.LOGISTIC, z31, y2, y3, 1f, zeros(3, 1)), "2 labels for 3 rows");
    assertThrows(IllegalArgumentException.class,
        () -> backend.lossAndGradient(Loss.LOGISTIC, z31, y3, y2, 1f, zeros(3, 1)), "2 weights for 3 rows");
    assertThrows(IllegalArgumentException.class,
        () -> backend.lossAndGradient(Loss.LOGISTIC, z31, y3, y3, 1f, zeros(2, 1)), "gradient of 2 rows");

    DenseMatrix p = zeros(1, 5);
    DenseMatrix five = zeros(1, 5);
    assertThrows(IllegalArgumentException.class,
        () -> backend.optimizerStep(OptimizerStep.sgd(0.1f, 0f), p, zeros(1, 4), zeros(1, 5), five, five),
        "gradient of 4 for 5 parameters");
    assertThrows(IllegalArgumentException.class,
        () -> backend.optimizerStep(OptimizerStep.adam(0.1f, 1), p, five, zeros(1, 5), five, five),
        "Adam with one state slot");
    assertThrows(IllegalArgumentException.class,
        () -> backend.optimizerStep(OptimizerStep.sgd(0.1f, 0f), p, five, zeros(1, 5), zeros(1, 6), five),
        "l2 of 6 for 5 parameters");
    assertThrows(IllegalArgumentException.class,
        () -> backend.optimizerStep(OptimizerStep.sgd(0.1f, 0f), p, five, zeros(1, 5), five, zeros(1, 4)),
        "l1 of 4 for 5 parameters");

    assertThrows(IllegalArgumentException.class, () -> a34.view(5, 2, 4), "a view past the end");
    assertThrows(IllegalArgumentException.class, () -> a34.rowRange(2, 2), "rows [2, 4) of 3");
    assertThrows(IllegalArgumentException.class, () -> s34.rowRange(1, 3), "CSR rows [1, 4) of 3");
  }
}
