package io.sparkgpu.it;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A class with the {@code (String uid)} constructor MLlib's readers call reflectively: a tampered metadata file
 * naming it must be refused without ever constructing it, which {@link #CONSTRUCTED} proves.
 */
public final class InstantiationCanary {
  public static final AtomicInteger CONSTRUCTED = new AtomicInteger();

  public InstantiationCanary(String uid) {
    CONSTRUCTED.incrementAndGet();
  }
}
