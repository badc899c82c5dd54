package io.sparkgpu.backend.cuda;

import static io.sparkgpu.backend.cuda.CudaCallException.checkCublas;
import static io.sparkgpu.backend.cuda.CudaCallException.checkDriver;
import static io.sparkgpu.backend.cuda.DeviceMemoryBudget.mibText;

import io.sparkgpu.backend.Activation;
import io.sparkgpu.backend.ComputeBackend;
import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.OptimizerStep;
import io.sparkgpu.backend.ShapeChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasPointerMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA backend of one device, through JCuda: the driver API for the context, memory and kernel launches, cuBLAS
 * for dense GEMM (the row-major to column-major conversion is {@link ColumnMajorGemm}), and our own kernels
 * ({@code io/sparkgpu/kernels/*.cu}, compiled by NVRTC for the device, see {@link CompiledKernels}) for everything
 * else. Semantics are those of the CPU backend: row-major float32, views by offset, the same fused losses and
 * optimizer rules.
 *
 * <p>Threads: every call first makes the device's context current on the calling thread, and all work goes to the
 * context's default (legacy) stream, so it runs in call order. The host waits in {@code read}, in the methods that
 * return a value, and when memory is freed. Several trainers may share one instance; {@link #taskSlots} bounds how
 * many run at once.
 *
 * <p>Ownership: the backend owns the context (retained primary context), the loaded kernels, the cuBLAS handle and
 * every device buffer it allocated. Matrices it returns are owned by the caller (views own nothing). Whoever called
 * {@link #open} closes the backend, after closing its matrices; for the executor-wide backends that is
 * {@link CudaDevices}. Closing frees, in order: buffers still open (with a warning: a leak), cuBLAS, the modules,
 * then the context; it reports the first failure with the others suppressed.
 */
public final class CudaBackend implements ComputeBackend {
  private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);

  private final String name;
  private final CudaContext context;
  private final CompiledKernels kernels;
  private final cublasHandle cublas;
  private final DeviceMemoryBudget pool;
  private final GpuTaskSlots slots;
  private final DeviceBuffer.Release release = this::free;
  private final Set<DeviceBuffer> live = ConcurrentHashMap.newKeySet();
  /** Guards {@link #partials}, the device buffer that the reduction kernels write their block sums into. */
  private final Object partialsLock = new Object();
  private final DeviceBuffer partials;
  private volatile boolean closed;

  private CudaBackend(String name, CudaContext context, CompiledKernels kernels, cublasHandle cublas,
      DeviceMemoryBudget pool, GpuTaskSlots slots) {
    this.name = name;
    this.context = context;
    this.kernels = kernels;
    this.cublas = cublas;
    this.pool = pool;
    this.slots = slots;
    this.partials = allocateBuffer((long) Double.BYTES * LaunchShape.MAX_REDUCE_BLOCKS, "reduction partial sums");
  }

  /**
   * Opens device {@code ordinal}: retains its primary context, loads the kernels, creates a cuBLAS handle and sizes
   * the memory pool from the free memory ({@link DevicePoolSizing}). The caller owns the result and closes it.
   */
  public static CudaBackend open(int ordinal, CudaSettings settings) {
    long t0 = System.nanoTime();
    String name = "cuda:" + ordinal;
    CudaContext context = CudaContext.open(ordinal);
    CompiledKernels kernels = null;
    cublasHandle handle = null;
    try {
      kernels = CompiledKernels.load(context.arch, name);
      handle = new cublasHandle();
      checkCublas(JCublas2.cublasCreate(handle), "cublasCreate on " + name);
      // alpha and beta are host values. The math mode stays cuBLAS's default, which keeps FP32 precision for
      // SGEMM (TF32 only when asked for with CUBLAS_TF32_TENSOR_OP_MATH), so GEMM agrees with the CPU backend.
      checkCublas(JCublas2.cublasSetPointerMode(handle, cublasPointerMode.CUBLAS_POINTER_MODE_HOST),
          "cublasSetPointerMode on " + name);
      long[] memory = context.memoryInfo();
      long poolBytes = DevicePoolSizing.poolBytes(memory[0], settings.poolFraction(), settings.reserveBytes());
      CudaBackend backend = new CudaBackend(name, context, kernels, handle, new DeviceMemoryBudget(name, poolBytes),
          new GpuTaskSlots(name, settings.concurrentTasks()));
      LOG.info("Opened {} ({}, compute capability {}.{}, {} SMs): memory pool {} MiB of {} MiB free ({} MiB total; "
          + "{} {}, {} {} MiB), {} concurrent task(s), in {} ms", name, context.name, context.arch / 10,
          context.arch % 10, context.multiprocessors, poolBytes >> 20, memory[0] >> 20, memory[1] >> 20,
          CudaSettings.POOL_FRACTION_KEY, settings.poolFraction(), CudaSettings.RESERVE_KEY,
          settings.reserveBytes() >> 20, settings.concurrentTasks(), (System.nanoTime() - t0) / 1_000_000);
      return backend;
    } catch (RuntimeException | Error e) {
      if (handle != null) {
        cublasHandle h = handle;
        closeSuppressed(e, () -> checkCublas(JCublas2.cublasDestroy(h), "cublasDestroy"));
      }
      if (kernels != null) {
        closeSuppressed(e, kernels::close);
      }
      closeSuppressed(e, context::close);
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The semaphore that bounds concurrent trainers on this device. */
  public GpuTaskSlots taskSlots() {
    return slots;
  }

  /** Bytes of the memory pool in use and its size. */
  public long poolUsedBytes() {
    return pool.usedBytes();
  }

  public long poolLimitBytes() {
    return pool.limitBytes();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Memory

  private void enter() {
    if (closed) {
      throw new IllegalStateException(name + " is closed");
    }
    context.makeCurrent();
  }

  private CudaDenseMatrix d(DenseMatrix m) {
    if (m instanceof CudaDenseMatrix && ((CudaDenseMatrix) m).buffer.release() == release) {
      return (CudaDenseMatrix) m;
    }
    throw new IllegalArgumentException("Matrix " + m + " does not belong to " + name);
  }

  private CudaCsrMatrix s(CsrMatrix m) {
    if (m instanceof CudaCsrMatrix && ((CudaCsrMatrix) m).rowPtr.release() == release) {
      return (CudaCsrMatrix) m;
    }
    throw new IllegalArgumentException("Matrix " + m + " does not belong to " + name);
  }

  private static long checkedSize(int rows, int cols) {
    long n = (long) rows * cols;
    if (rows < 0 || cols < 0 || n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("A " + rows + " x " + cols + " matrix is outside the backends' limit of "
          + (Integer.MAX_VALUE - 8) + " elements; lower maxBatchBytes");
    }
    return n;
  }

  private static void checkRange(int length, int offset, long n, String what) {
    if (offset < 0 || offset + n > length) {
      throw new IndexOutOfBoundsException(what + ": elements [" + offset + ", " + (offset + n)
          + ") of an array of " + length);
    }
  }



  /** Takes {@code bytes} from the pool and the device; the context must be current. */
  private DeviceBuffer allocateBuffer(long bytes, String what) {
    if (bytes == 0) {
      return new DeviceBuffer(new CUdeviceptr(), 0, release);
    }
    pool.reserve(bytes, what);
    CUdeviceptr p = new CUdeviceptr();
    int r = JCudaDriver.cuMemAlloc(p, bytes);
    if (r != CUresult.CUDA_SUCCESS) {
      pool.release(bytes);
      if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
        throw new GpuMemoryExhaustedException(name + ": the device has no " + mibText(bytes) + " free for " + what
            + " although the pool allows it (" + mibText(pool.usedBytes()) + " of " + mibText(pool.limitBytes())
            + " in use): other processes or executors use this GPU; lower " + CudaSettings.POOL_FRACTION_KEY
            + " or raise " + CudaSettings.RESERVE_KEY, bytes);
      }
      checkDriver(r, "cuMemAlloc(" + bytes + " bytes for " + what + ") on " + name);
    }
    DeviceBuffer buffer = new DeviceBuffer(p, bytes, release);
    live.add(buffer);
    return buffer;
  }

  /** Frees a buffer once: waits for queued work first, so that no kernel still uses the memory. */
  private void free(DeviceBuffer buffer) {
    if (buffer.bytes() == 0 || !live.remove(buffer)) {
      return; // nothing allocated, or already freed by close()
    }
    try {
      context.makeCurrent();
      context.synchronize();
      checkDriver(JCudaDriver.cuMemFree(buffer.base()), "cuMemFree on " + name);
    } finally {
      pool.release(buffer.bytes());
    }
  }

  private static void closeAfterFailure(Throwable failure, AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        closeSuppressed(failure, r::close);
      }
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void closeSuppressed(Throwable failure, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  private void copyIn(float[] src, int offset, CUdeviceptr dst, long n) {
    if (n > 0) {
      checkDriver(JCudaDriver.cuMemcpyHtoD(dst, Pointer.to(src).withByteOffset((long) Float.BYTES * offset),
          (long) Float.BYTES * n), "cuMemcpyHtoD on " + name);
    }
  }

  private void copyIn(int[] src, CUdeviceptr dst, long n) {
    if (n > 0) {
      checkDriver(JCudaDriver.cuMemcpyHtoD(dst, Pointer.to(src), (long) Integer.BYTES * n), "cuMemcpyHtoD on "
          + name);
    }
  }

  @Override
  public DenseMatrix allocate(int rows, int cols) {
    long n = checkedSize(rows, cols);
    enter();
    DeviceBuffer b = allocateBuffer((long) Float.BYTES * n, "a " + rows + " x " + cols + " matrix");
    try {
      if (n > 0) {
        checkDriver(JCudaDriver.cuMemsetD32(b.at(0), 0, n), "cuMemsetD32 on " + name);
      }
      return new CudaDenseMatrix(b, 0, rows, cols, true);
    } catch (RuntimeException | Error e) {
      closeAfterFailure(e, b);
      throw e;
    }
  }

  @Override
  public DenseMatrix upload(float[] data, int offset, int rows, int cols) {
    long n = checkedSize(rows, cols);
    checkRange(data.length, offset, n, "upload");
    enter();
    DeviceBuffer b = allocateBuffer((long) Float.BYTES * n, "a " + rows + " x " + cols + " matrix");
    try {
      copyIn(data, offset, b.at(0), n);
      return new CudaDenseMatrix(b, 0, rows, cols, true);
    } catch (RuntimeException | Error e) {
      closeAfterFailure(e, b);
      throw e;
    }
  }

  /**
   * Checks the CSR arrays on the host: on the device a wrong index would read or write outside the matrices (and
   * break the context) instead of throwing.
   */
  static void checkCsr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("A CSR matrix of " + rows + " x " + cols);
    }
    if (rowPtr.length != rows + 1) {
      throw new IllegalArgumentException("rowPtr has " + rowPtr.length + " entries, expected " + (rows + 1));
    }
    if (rowPtr[0] < 0) {
      throw new IllegalArgumentException("rowPtr[0] is " + rowPtr[0] + ", expected at least 0");
    }
    for (int i = 0; i < rows; i++) {
      if (rowPtr[i + 1] < rowPtr[i]) {
        throw new IllegalArgumentException("rowPtr decreases at row " + i + ": " + rowPtr[i] + " then "
            + rowPtr[i + 1]);
      }
    }
    int nnz = rowPtr[rows];
    if (colIndices.length < nnz || values.length < nnz) {
      throw new IllegalArgumentException("rowPtr ends at " + nnz + " but there are " + colIndices.length
          + " column indices and " + values.length + " values");
    }
    for (int p = rowPtr[0]; p < nnz; p++) {
      if (colIndices[p] < 0 || colIndices[p] >= cols) {
        throw new IllegalArgumentException("Column index " + colIndices[p] + " at position " + p
            + " is outside [0, " + cols + ")");
      }
    }
  }

  @Override
  public CsrMatrix uploadCsr(int rows, int cols, int[] rowPtr, int[] colIndices, float[] values) {
    checkCsr(rows, cols, rowPtr, colIndices, values);
    int nnz = rowPtr[rows];
    enter();
    DeviceBuffer rp = null;
    DeviceBuffer ci = null;
    DeviceBuffer va = null;
    try {
      String what = "a " + rows + " x " + cols + " CSR matrix with " + nnz + " non-zeros";
      rp = allocateBuffer((long) Integer.BYTES * (rows + 1), what);
      ci = allocateBuffer((long) Integer.BYTES * nnz, what);
      va = allocateBuffer((long) Float.BYTES * nnz, what);
      copyIn(rowPtr, rp.at(0), rows + 1L);
      copyIn(colIndices, ci.at(0), nnz);
      copyIn(values, 0, va.at(0), nnz);
      return new CudaCsrMatrix(rp, ci, va, rowPtr.clone(), 0, rows, cols, true);
    } catch (RuntimeException | Error e) {
      closeAfterFailure(e, va, ci, rp);
      throw e;
    }
  }

  @Override
  public void write(float[] src, int offset, DenseMatrix dst) {
    CudaDenseMatrix m = d(dst);
    long n = m.size();
    checkRange(src.length, offset, n, "write");
    if (n == 0) {
      return;
    }
    enter();
    copyIn(src, offset, m.pointer(), n);
  }

  @Override
  public void read(DenseMatrix src, float[] dst, int offset) {
    CudaDenseMatrix m = d(src);
    long n = m.size();
    checkRange(dst.length, offset, n, "read");
    if (n == 0) {
      return;
    }
    enter();
    checkDriver(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) Float.BYTES * offset), m.pointer(),
        (long) Float.BYTES * n), "cuMemcpyDtoH on " + name);
  }

  @Override
  public void copy(DenseMatrix src, DenseMatrix dst) {
    ShapeChecks.sameShape(src, dst, "copy");
    CudaDenseMatrix a = d(src);
    CudaDenseMatrix b = d(dst);
    long n = a.size();
    if (n == 0) {
      return;
    }
    enter();
    checkDriver(JCudaDriver.cuMemcpyDtoD(b.pointer(), a.pointer(), (long) Float.BYTES * n), "cuMemcpyDtoD on "
        + name);
  }

  @Override
  public void fill(DenseMatrix dst, float value) {
    CudaDenseMatrix m = d(dst);
    long n = m.size();
    if (n == 0) {
      return;
    }
    enter();
    // A float's 32 bits, written to every element.
    checkDriver(JCudaDriver.cuMemsetD32(m.pointer(), Float.floatToRawIntBits(value), n), "cuMemsetD32 on " + name);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Kernels

  private void launch(Kernel kernel, int blocks, KernelArgs args) {
    kernel.checkArguments(args.kinds());
    if (blocks == 0) {
      return;
    }
    checkDriver(JCudaDriver.cuLaunchKernel(kernels.function(kernel), blocks, 1, 1, LaunchShape.BLOCK, 1, 1, 0, null,
        args.toKernelParams(), null), "cuLaunchKernel(" + kernel.symbol + ", " + blocks + " blocks) on " + name);
  }

  /** Adds the block sums that a reduction kernel wrote, in block order; the caller holds {@link #partialsLock}. */
  private double sumPartials(int blocks) {
    double[] host = new double[blocks];
    checkDriver(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), partials.at(0), (long) Double.BYTES * blocks),
        "cuMemcpyDtoH of partial sums on " + name);
    double sum = 0;
    for (double v : host) {
      sum += v;
    }
    return sum;
  }

  /** x := beta·x, where beta = 0 writes zeros (the context must be current). */
  private void scale(CudaDenseMatrix x, float beta) {
    if (beta == 1f) {
      return;
    }
    long n = x.size();
    launch(Kernel.SCALE, LaunchShape.blocks(n), new KernelArgs().pointer(x.pointer()).i64(n).f32(beta));
  }

  /** The SG_ACT_* code of the kernels (elementwise.cu). */
  static int activationCode(Activation f) {
    switch (f) {
      case IDENTITY:
        return 0;
      case RELU:
        return 1;
      case SIGMOID:
        return 2;
      case TANH:
        return 3;
      default:
        throw new IllegalArgumentException("Unsupported activation " + f);
    }
  }

  /** The SG_LOSS_* code of the kernels (reductions.cu). */
  static int lossCode(Loss loss) {
    switch (loss) {
      case SQUARED_ERROR:
        return 0;
      case LOGISTIC:
        return 1;
      case SOFTMAX_CROSS_ENTROPY:
        return 2;
      default:
        throw new IllegalArgumentException("Unsupported loss " + loss);
    }
  }

  private static int cublasOp(boolean trans) {
    return trans ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
  }

  @Override
  public void gemm(boolean transA, boolean transB, float alpha, DenseMatrix a, DenseMatrix b, float beta,
      DenseMatrix c) {
    int[] mnk = ShapeChecks.gemm(transA, transB, a, b, c);
    int m = mnk[0];
    int n = mnk[1];
    int k = mnk[2];
    CudaDenseMatrix ca = d(a);
    CudaDenseMatrix cb = d(b);
    CudaDenseMatrix cc = d(c);
    if (m == 0 || n == 0) {
      return;
    }
    enter();
    if (k == 0) {
      scale(cc, beta);
      return;
    }
    ColumnMajorGemm g = ColumnMajorGemm.forRowMajor(transA, transB, a.rows(), a.cols(), b.rows(), b.cols());
    checkCublas(JCublas2.cublasSgemm(cublas, cublasOp(g.transFirst()), cublasOp(g.transSecond()), g.m(), g.n(),
        g.k(), Pointer.to(new float[] {alpha}), cb.pointer(), g.ldFirst(), ca.pointer(), g.ldSecond(),
        Pointer.to(new float[] {beta}), cc.pointer(), g.ldc()), "cublasSgemm on " + name);
  }

  @Override
  public void csrGemm(boolean transA, float alpha, CsrMatrix a, DenseMatrix b, float beta, DenseMatrix c) {
    CudaCsrMatrix sa = s(a);
    ShapeChecks.csrGemm(transA, a, b, c);
    CudaDenseMatrix cb = d(b);
    CudaDenseMatrix cc = d(c);
    int n = b.cols();
    if (cc.size() == 0) {
      return;
    }
    enter();
    long work = (long) a.rows() * n;
    if (!transA) {
      launch(Kernel.CSR_MM, LaunchShape.blocks(work), new KernelArgs().i32(a.rows()).i32(n)
          .pointer(sa.rowPtrPointer()).pointer(sa.colIndices.at(0)).pointer(sa.values.at(0)).f32(alpha)
          .pointer(cb.pointer()).f32(beta).pointer(cc.pointer()));
    } else {
      scale(cc, beta);
      launch(Kernel.CSR_T_MM_ADD, LaunchShape.blocks(work), new KernelArgs().i32(a.rows()).i32(n)
          .pointer(sa.rowPtrPointer()).pointer(sa.colIndices.at(0)).pointer(sa.values.at(0)).f32(alpha)
          .pointer(cb.pointer()).pointer(cc.pointer()));
    }
  }

  @Override
  public void addRowVector(DenseMatrix z, DenseMatrix bias) {
    ShapeChecks.rowVector(bias, z.cols(), "addRowVector");
    CudaDenseMatrix cz = d(z);
    CudaDenseMatrix cb = d(bias);
    long n = cz.size();
    if (n == 0) {
      return;
    }
    enter();
    launch(Kernel.ADD_ROW_VECTOR, LaunchShape.blocks(n), new KernelArgs().pointer(cz.pointer())
        .pointer(cb.pointer()).i64(n).i32(z.cols()));
  }

  @Override
  public void columnSums(float alpha, DenseMatrix x, float beta, DenseMatrix out) {
    ShapeChecks.rowVector(out, x.cols(), "columnSums");
    CudaDenseMatrix cx = d(x);
    CudaDenseMatrix co = d(out);
    if (x.cols() == 0) {
      return;
    }
    enter();
    launch(Kernel.COLUMN_SUMS, LaunchShape.blocks(x.cols()), new KernelArgs().pointer(cx.pointer()).i32(x.rows())
        .i32(x.cols()).f32(alpha).f32(beta).pointer(co.pointer()));
  }

  @Override
  public void activate(Activation f, DenseMatrix z) {
    CudaDenseMatrix cz = d(z);
    long n = cz.size();
    if (f == Activation.IDENTITY || n == 0) {
      return;
    }
    enter();
    launch(Kernel.ACTIVATE, LaunchShape.blocks(n), new KernelArgs().i32(activationCode(f)).pointer(cz.pointer())
        .i64(n));
  }

  @Override
  public void activationBackward(Activation f, DenseMatrix out, DenseMatrix grad) {
    ShapeChecks.sameShape(out, grad, "activationBackward");
    CudaDenseMatrix co = d(out);
    CudaDenseMatrix cg = d(grad);
    long n = co.size();
    if (f == Activation.IDENTITY || n == 0) {
      return; // the derivative is 1
    }
    enter();
    launch(Kernel.ACTIVATION_BACKWARD, LaunchShape.blocks(n), new KernelArgs().i32(activationCode(f))
        .pointer(co.pointer()).pointer(cg.pointer()).i64(n));
  }

  @Override
  public double lossAndGradient(Loss loss, DenseMatrix z, DenseMatrix labels, DenseMatrix weights, float gradScale,
      DenseMatrix grad) {
    ShapeChecks.loss(z, labels, weights, grad);
    int rows = z.rows();
    int k = z.cols();
    CudaDenseMatrix cz = d(z);
    CudaDenseMatrix cy = d(labels);
    CudaDenseMatrix cw = d(weights);
    CudaDenseMatrix cg = d(grad);
    if (rows == 0) {
      return 0.0;
    }
    if (k == 0) {
      throw new IllegalArgumentException("lossAndGradient: the outputs have 0 columns, expected at least 1");
    }
    int blocks = LaunchShape.reduceBlocks(rows);
    synchronized (partialsLock) {
      enter();
      launch(Kernel.LOSS_GRADIENT, blocks, new KernelArgs().i32(lossCode(loss)).pointer(cz.pointer())
          .pointer(cy.pointer()).pointer(cw.pointer()).f32(gradScale).pointer(cg.pointer()).i32(rows).i32(k)
          .pointer(partials.at(0)));
      return sumPartials(blocks);
    }
  }

  @Override
  public void outputTransform(Loss loss, DenseMatrix z) {
    CudaDenseMatrix cz = d(z);
    switch (loss) {
      case SQUARED_ERROR:
        return;
      case LOGISTIC:
        activate(Activation.SIGMOID, z);
        return;
      case SOFTMAX_CROSS_ENTROPY:
        if (z.rows() == 0 || z.cols() == 0) {
          return;
        }
        enter();
        launch(Kernel.SOFTMAX_ROWS, LaunchShape.blocks(z.rows()), new KernelArgs().pointer(cz.pointer())
            .i32(z.rows()).i32(z.cols()));
        return;
      default:
        throw new IllegalArgumentException("Unsupported loss " + loss);
    }
  }

  @Override
  public void optimizerStep(OptimizerStep step, DenseMatrix params, DenseMatrix grad, DenseMatrix state,
      DenseMatrix l2, DenseMatrix l1) {
    int n = ShapeChecks.optimizer(params, grad, state, l2, l1, step.kind().stateSlots());
    CudaDenseMatrix w = d(params);
    CudaDenseMatrix g = d(grad);
    CudaDenseMatrix st = d(state);
    CudaDenseMatrix r2 = d(l2);
    CudaDenseMatrix r1 = d(l1);
    if (n == 0) {
      return;
    }
    enter();
    float lr = step.learningRate();
    if (step.kind() == OptimizerKind.SGD) {
      launch(Kernel.SGD_STEP, LaunchShape.blocks(n), new KernelArgs().pointer(w.pointer()).pointer(g.pointer())
          .pointer(st.pointer()).pointer(r2.pointer()).pointer(r1.pointer()).i32(n).f32(lr).f32(step.momentum()));
    } else {
      // Bias corrections exactly as the CPU backend computes them.
      float c1 = (float) (1.0 / (1.0 - Math.pow(step.beta1(), step.step())));
      float c2 = (float) (1.0 / (1.0 - Math.pow(step.beta2(), step.step())));
      launch(Kernel.ADAM_STEP, LaunchShape.blocks(n), new KernelArgs().pointer(w.pointer()).pointer(g.pointer())
          .pointer(st.pointer(0)).pointer(st.pointer(n)).pointer(r2.pointer()).pointer(r1.pointer()).i32(n)
          .f32(lr).f32(step.beta1()).f32(step.beta2()).f32(c1).f32(c2).f32(step.epsilon()));
    }
  }

  @Override
  public double sumOfSquares(DenseMatrix x) {
    CudaDenseMatrix cx = d(x);
    long n = cx.size();
    if (n == 0) {
      return 0.0;
    }
    int blocks = LaunchShape.reduceBlocks(n);
    synchronized (partialsLock) {
      enter();
      launch(Kernel.SUM_OF_SQUARES, blocks, new KernelArgs().pointer(cx.pointer()).i64(n).pointer(partials.at(0)));
      return sumPartials(blocks);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Shutdown

  private static RuntimeException keep(RuntimeException first, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      RuntimeException r = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
      if (first == null) {
        return r;
      }
      first.addSuppressed(r);
    }
    return first;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    RuntimeException first = null;
    first = keep(first, context::makeCurrent);
    first = keep(first, context::synchronize);
    List<DeviceBuffer> open = new ArrayList<>(live);
    long leakedBytes = 0;
    for (DeviceBuffer b : open) {
      if (b != partials) {
        leakedBytes += b.bytes();
      }
    }
    if (open.size() > 1 || (open.size() == 1 && open.get(0) != partials)) {
      LOG.warn("{}: {} device buffer(s) of {} were still open when the backend closed (matrices not closed by "
          + "their owners); freeing them", name, open.size() - (open.contains(partials) ? 1 : 0),
          mibText(leakedBytes));
    }
    for (DeviceBuffer b : open) {
      first = keep(first, () -> {
        live.remove(b);
        try {
          checkDriver(JCudaDriver.cuMemFree(b.base()), "cuMemFree on " + name);
        } finally {
          pool.release(b.bytes());
        }
      });
    }
    first = keep(first, () -> checkCublas(JCublas2.cublasDestroy(cublas), "cublasDestroy on " + name));
    first = keep(first, kernels::close);
    first = keep(first, context::close);
    if (first != null) {
      throw first;
    }
  }
}
