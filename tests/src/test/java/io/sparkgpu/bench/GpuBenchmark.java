package io.sparkgpu.bench;

import io.sparkgpu.backend.cuda.CudaAvailability;
import io.sparkgpu.backend.cuda.CudaProbe;

/**
 * The GPU section: on a machine where {@link CudaProbe} finds a usable device, fits our LogisticRegression with
 * {@code device=cuda} and {@code device=cpu} on the same cached set in the same run (the issue-2 settings) and records
 * fit seconds, steady epoch, epoch throughput and objective of each; elsewhere it records "not run" with the probe's
 * reason. It never falls back: a cuda fit that cannot use the GPU fails the run.
 */
final class GpuBenchmark {
  private final BenchmarkRunner.Context ctx;

  GpuBenchmark(BenchmarkRunner.Context ctx) {
    this.ctx = ctx;
  }

  /** Records the probe's verdict under {@code gpu.}; true when a GPU can be measured. */
  boolean probe() {
    ResultStore store = ctx.store();
    store.clear("gpu.");
    ctx.stamp("gpu.");
    CudaAvailability cuda = CudaProbe.availability();
    store.put("gpu.usable", Boolean.toString(cuda.usable()));
    store.put("gpu.probe", cuda.description());
    store.save();
    ctx.log("GPU: %s", cuda.usable() ? "measuring (" + cuda.description() + ")" : "not run: " + cuda.description());
    return cuda.usable();
  }

  /** Times {@code repeats} fits on each device after a warm-up fit on each. */
  void run(BenchData.Named data, Fits.Setting setting, int repeats) {
    ResultStore store = ctx.store();
    String key = "gpu." + data.key() + ".";
    store.put(key + "title", data.title());
    store.put(key + "featureBytes", data.shape().featureBytes());
    for (String device : new String[] {"cuda", "cpu"}) {
      Fits.ours(data.df(), setting, 2, device);
      double[] secs = new double[repeats];
      Fits.Result last = null;
      for (int r = 0; r < repeats; r++) {
        last = Fits.ours(data.df(), setting, 0, device);
        secs[r] = last.seconds();
        ctx.log("  %s device=%s fit %d/%d: %.2f s, objective %.6f", data.key(), device, r + 1, repeats,
            last.seconds(), last.value().objective());
      }
      double steady = Fits.steadyEpochSeconds(last.epochSeconds());
      String k = key + device + ".";
      store.put(k + "fitSeconds", Fits.median(secs));
      store.put(k + "fitSecondsAll", Fits.list(secs));
      store.put(k + "objective", last.value().objective());
      store.put(k + "steadyEpochSeconds", steady);
      store.put(k + "epochGBps", data.shape().featureBytes() / steady / 1e9);
    }
    store.save();
  }
}
