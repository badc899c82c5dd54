package io.sparkgpu.train;

import io.sparkgpu.arrow.HostBatch;
import io.sparkgpu.arrow.LabelKind;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.backend.cpu.CpuBackend;
import io.sparkgpu.testing.EngineHarness;
import io.sparkgpu.testing.LibSvmReader;
import io.sparkgpu.testing.SharedData;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("experiment")
class ConvergenceExperimentTest {
  @Test
  void a9a() throws Exception {
    HostBatch data = LibSvmReader.read(SharedData.require("a9a/a9a.gz"), 123, true);
    double fStar = 10529.56 / data.rows;
    String[] opts = System.getProperty("exp", "adam:0.05:1,adam:0.05:0").split(",");
    try (RootAllocator alloc = new RootAllocator(1L << 30); CpuBackend cpu = new CpuBackend()) {
      for (int p : new int[] {1, 2, 4, 8}) {
        List<EngineHarness.Partition> parts = EngineHarness.partition(data, p, LabelKind.CLASS_INDEX, 64 << 20, alloc);
        for (String o : opts) {
          String[] f = o.split(":");
          int epochs = f.length > 3 ? Integer.parseInt(f[3]) : 10;
          int batch = f.length > 4 ? Integer.parseInt(f[4]) : 256;
          TrainingSettings s = new TrainingSettings(OptimizerKind.fromName(f[0]), Double.parseDouble(f[1]),
              f[2].equals("1"), 0.9, batch, epochs, LearningRateSchedule.COSINE, 42L, 1.0 / data.rows, 0.0, false,
              false, 1L << 30);
          long t0 = System.nanoTime();
          TrainingResult r = EngineHarness.fitLinear(cpu, parts, FitPlan.LinearKind.BINOMIAL, 2, s, 0);
          double[] h = r.objectiveHistory();
          System.out.printf("P=%d %s: final %.5f (f*=%.5f, +%.3f%%) hist %s  %.2fs%n", p, o, h[h.length - 1], fStar,
              100 * (h[h.length - 1] / fStar - 1), java.util.Arrays.toString(h), (System.nanoTime() - t0) / 1e9);
        }
      }
    }
  }
}
