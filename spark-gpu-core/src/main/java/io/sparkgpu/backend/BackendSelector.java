package io.sparkgpu.backend;

import io.sparkgpu.backend.cpu.CpuBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which backend a fit and its tasks use. This build has the CPU backend only: {@code auto} resolves to the
 * CPU (logged once per JVM with the reason) and {@code cuda} is refused on the driver before any job.
 */
public final class BackendSelector {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);
  private static final CpuBackend CPU = new CpuBackend();
  private static volatile boolean loggedAuto;

  /** Why no GPU can be used here, for messages. */
  public static final String NO_CUDA_REASON = "this build of spark-gpu has no CUDA backend yet";

  private BackendSelector() {}

  /** Driver-side check before any job: throws if {@code setting} cannot be honoured. */
  public static void checkOnDriver(DeviceSetting setting) {
    if (setting == DeviceSetting.CUDA) {
      throw new IllegalArgumentException("device=cuda was requested but no usable GPU is available: "
          + NO_CUDA_REASON + "; set device to 'auto' or 'cpu'");
    }
  }

  /**
   * The backend for a task. The CPU backend is shared and stateless, so callers must not close it; the returned
   * {@link Selection} says whether the caller owns the backend.
   */
  public static Selection forTask(DeviceSetting setting) {
    if (setting == DeviceSetting.CUDA) {
      throw new IllegalStateException("device=cuda: " + NO_CUDA_REASON);
    }
    if (setting == DeviceSetting.AUTO && !loggedAuto) {
      loggedAuto = true;
      LOG.info("device=auto: training on the CPU backend ({})", NO_CUDA_REASON);
    }
    return new Selection(CPU, false);
  }

  /** A backend and whether its receiver must close it. */
  public record Selection(ComputeBackend backend, boolean owned) {}
}
