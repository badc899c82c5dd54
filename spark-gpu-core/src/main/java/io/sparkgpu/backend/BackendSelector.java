package io.sparkgpu.backend;

import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.backend.cuda.CudaAvailability;
import io.sparkgpu.backend.cuda.CudaBackend;
import io.sparkgpu.backend.cuda.CudaDevices;
import io.sparkgpu.backend.cuda.CudaProbe;
import io.sparkgpu.backend.cuda.CudaSettings;
import io.sparkgpu.backend.cuda.DeviceDecision;
import io.sparkgpu.backend.cuda.DriverCheck;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which backend a fit and its tasks use. {@code device=cpu}: the CPU backend. {@code device=auto}: the CUDA
 * backend of the task's GPU when it has a usable one (its {@code gpu} resource address, or in local mode the
 * partition id modulo the visible devices), else the CPU, with one INFO line per distinct decision saying which and
 * why. {@code device=cuda}: that GPU, or an error saying why not; {@link #checkOnDriver} makes the same check on the
 * driver before any job. The decision itself is the pure {@link DeviceDecision#decide}.
 *
 * <p>Ownership: a {@link Selection} is never owned by its receiver ({@code owned} is false for both backends): the
 * CPU backend is a stateless singleton, and each CUDA backend belongs to {@link CudaDevices#global()}, which closes it
 * when the JVM shuts down. Tasks hold a {@link DeviceSlot} from {@link #occupy} while they train.
 */
public final class BackendSelector {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);
  private static final CpuBackend CPU = new CpuBackend();
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
  private static final DeviceSlot NO_SLOT = () -> { };

  private BackendSelector() {}

  /**
   * Driver-side check before any job: throws {@link IllegalArgumentException} if {@code setting} cannot be honoured
   * (for {@code device=cuda}: no usable GPU in local mode, or no GPU resource for tasks on a cluster).
   */
  public static void checkOnDriver(DeviceSetting setting) {
    if (setting != DeviceSetting.CUDA) {
      return;
    }
    SparkConf conf = activeConf();
    Function<String, String> lookup = conf == null ? key -> null : key -> conf.get(key, null);
    DriverCheck.check(setting, lookup, CudaProbe::availability);
  }

  private static SparkConf activeConf() {
    scala.Option<SparkSession> session = SparkSession.getActiveSession();
    if (session.isEmpty()) {
      session = SparkSession.getDefaultSession();
    }
    return session.isEmpty() ? null : session.get().sparkContext().getConf();
  }

  /**
   * The backend for the current task (or, outside Spark, for partition 0 in this JVM). {@code device=cuda} throws
   * {@link IllegalStateException} with the reason when no GPU can be used; {@code device=auto} then falls back to the
   * CPU. The receiver does not own the result (see the class comment).
   */
  public static Selection forTask(DeviceSetting setting) {
    if (setting == DeviceSetting.CPU) {
      return new Selection(CPU, false);
    }
    TaskContext task = TaskContext.get();
    SparkEnv env = SparkEnv.get();
    // In local mode the executor is the driver's JVM and Spark assigns no resources to tasks.
    boolean localMode = env == null || "driver".equals(env.executorId());
    CudaSettings settings = env == null ? CudaSettings.defaults()
        : CudaSettings.parse(key -> env.conf().get(key, null));
    String[] addresses = null;
    if (task != null) {
      Map<String, ResourceInformation> resources = task.resourcesJMap();
      ResourceInformation gpu = resources == null ? null : resources.get(settings.resourceName());
      addresses = gpu == null ? null : gpu.addresses();
    }
    int partition = task == null ? 0 : task.partitionId();
    DeviceDecision decision = DeviceDecision.decide(setting, localMode, settings.resourceName(), addresses,
        partition, CudaProbe::availability);
    String prefix = "device=" + setting.paramValue() + ": ";
    if (!decision.usesCuda()) {
      logOnce(prefix + "training on the CPU backend (" + decision.reason() + ")");
      return new Selection(CPU, false);
    }
    CudaBackend backend;
    try {
      backend = CudaDevices.global().backend(decision.ordinal(), settings);
    } catch (RuntimeException e) {
      if (setting == DeviceSetting.CUDA) {
        throw new IllegalStateException("device=cuda was requested but GPU " + decision.ordinal() + " ("
            + decision.reason() + ") could not be opened: " + e.getMessage()
            + ". Set device to 'auto' to train on the CPU when no GPU is usable, or to 'cpu'.", e);
      }
      if (LOGGED.add(prefix + "open failed " + decision.ordinal())) {
        LOG.warn("{}training on the CPU backend: GPU {} ({}) could not be opened", prefix, decision.ordinal(),
            decision.reason(), e);
      }
      return new Selection(CPU, false);
    }
    logOnce(prefix + "training on " + backend.name() + " (" + decision.reason() + ")");
    return new Selection(backend, false);
  }

  private static void logOnce(String message) {
    if (LOGGED.add(message)) {
      LOG.info(message);
    }
  }

  /**
   * Takes one of the task slots of {@code backend}'s GPU for the duration of a task's training (blocking while the
   * GPU has as many trainers as {@code spark.sparkgpu.gpu.concurrentTasks}); a no-op slot for the CPU. The caller
   * closes the slot, in try-with-resources.
   */
  public static DeviceSlot occupy(ComputeBackend backend) {
    if (backend instanceof CudaBackend) {
      return ((CudaBackend) backend).taskSlots().acquire();
    }
    return NO_SLOT;
  }

  /** The probe's verdict on CUDA in this JVM, for messages and tests that skip without a GPU. */
  public static CudaAvailability cudaAvailability() {
    return CudaProbe.availability();
  }

  /** A backend and whether its receiver must close it (never, for the backends this class returns). */
  public record Selection(ComputeBackend backend, boolean owned) {}

  /** A task's hold on its device, released by {@link #close}. */
  public interface DeviceSlot extends AutoCloseable {
    @Override
    void close();
  }
}
