package io.sparkgpu.backend.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor-wide CUDA backends: at most one per device ordinal, opened on first use, shared by every task of the
 * JVM that trains on that device. Owns them: {@link #close} closes them in the reverse order of opening, and a JVM
 * shutdown hook calls it for the {@link #global} instance (a plugin may call it earlier). A device that failed to
 * open is not retried in this JVM: later requests fail fast with the first error.
 */
public final class CudaDevices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CudaDevices.class);
  private static final CudaDevices GLOBAL = new CudaDevices();

  private final Map<Integer, CudaBackend> open = new LinkedHashMap<>();
  private final Map<Integer, RuntimeException> failed = new HashMap<>();
  private boolean hookInstalled;
  private boolean closed;

  public static CudaDevices global() {
    return GLOBAL;
  }

  /** The backend of device {@code ordinal}, opening it with {@code settings} on first use. Callers do not close it. */
  public synchronized CudaBackend backend(int ordinal, CudaSettings settings) {
    if (closed) {
      throw new IllegalStateException("The CUDA devices of this JVM are closed (the JVM is shutting down)");
    }
    CudaBackend backend = open.get(ordinal);
    if (backend != null) {
      return backend;
    }
    RuntimeException earlier = failed.get(ordinal);
    if (earlier != null) {
      throw new IllegalStateException("cuda:" + ordinal + " failed to open earlier in this JVM: "
          + earlier.getMessage(), earlier);
    }
    try {
      backend = CudaBackend.open(ordinal, settings);
    } catch (RuntimeException e) {
      failed.put(ordinal, e);
      throw e;
    }
    open.put(ordinal, backend);
    if (this == GLOBAL && !hookInstalled) {
      hookInstalled = true;
      Runtime.getRuntime().addShutdownHook(new Thread(this::closeQuietly, "sparkgpu-cuda-shutdown"));
    }
    return backend;
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Closing the CUDA devices at shutdown failed", e);
    }
  }

  /** Closes every open backend, newest first; reports the first failure with the others suppressed. */
  @Override
  public void close() {
    List<CudaBackend> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(open.values());
      open.clear();
    }
    RuntimeException first = null;
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
