package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.Loss;
import io.sparkgpu.backend.OptimizerKind;
import io.sparkgpu.testing.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainingLoop} with a scripted {@link EpochRunner}: what each epoch receives, the objective it records
 * (mean loss + penalty at the averaged parameters), stopping on {@code tol}, and refusing diverged parameters.
 */
class TrainingLoopTest {
  private static final NetworkSpec SPEC = NetworkSpec.linear(2, 1, Loss.SQUARED_ERROR); // 3 parameters

  /** Two partitions; the script maps (epoch input, partition) to that partition's update. */
  private static final class ScriptedRunner implements EpochRunner {
    final List<EpochInput> inputs = new ArrayList<>();
    final BiFunction<EpochInput, Integer, PartitionUpdate> script;

    ScriptedRunner(BiFunction<EpochInput, Integer, PartitionUpdate> script) {
      this.script = script;
    }

    @Override
    public List<PartitionUpdate> runEpoch(EpochInput input, String description) {
      inputs.add(input);
      return List.of(script.apply(input, 1), script.apply(input, 0));
    }

    @Override
    public String backendDescription() {
      return "scripted";
    }

    @Override
    public void close() {}
  }

  private static TrainingConfig config(OptimizerKind kind, int epochs, float l2) {
    return Settings.create().optimizer(kind).epochs(epochs)
        .config(SPEC, InputScaling.identity(2), new float[] {l2, l2, 0}, new float[3], true);
  }

  private static float[] plus(float[] a, float d) {
    float[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += d;
    }
    return out;
  }

  @Test
  void eachEpochStartsFromTheWeightedAverageAndRecordsTheObjective() {
    // partition 0 (weight 1) moves every parameter by +1, partition 1 (weight 3) by -1: the average moves by -0.5
    ScriptedRunner runner = new ScriptedRunner((in, p) -> new PartitionUpdate(p,
        plus(in.params(), p == 0 ? 1f : -1f), plus(in.state(), p == 0 ? 4f : 0f), p == 0 ? 1 : 3,
        p == 0 ? 2.0 : 9.0, p == 0 ? 1 : 3, 10, p == 0 ? 8 : 4, 0.01));
    TrainingConfig config = config(OptimizerKind.ADAM, 3, 0.5f);
    TrainingResult r = TrainingLoop.fit("test", config, new float[] {1, 2, 3}, runner, 0);
    assertEquals(3, r.epochs());
    assertFalse(r.converged());
    assertEquals(3, runner.inputs.size());
    float[] expected = {1, 2, 3};
    double steps = 0;
    for (int e = 0; e < 3; e++) {
      EpochInput in = runner.inputs.get(e);
      assertEquals(e + 1, in.epoch());
      assertArrayEquals(expected, in.params(), "epoch " + (e + 1) + " starts from the average");
      assertEquals(6, in.state().length, "Adam: two state slots per parameter");
      assertEquals(e, in.state()[0], 1e-6, "state averaged: (1·4 + 3·0) / 4 = 1 per epoch");
      assertEquals(steps, in.stepsDone(), 1e-12, "steps done so far, weight-averaged: (1·8 + 3·4) / 4 = 5");
      expected = plus(expected, -0.5f);
      steps += 5;
      // mean loss (2 + 9) / (1 + 3) plus ½·0.5·(w0² + w1²) at the averaged parameters (the bias is not penalised)
      double penalty = 0.25 * (expected[0] * expected[0] + expected[1] * expected[1]);
      assertEquals(11.0 / 4 + penalty, r.objectiveHistory()[e], 1e-9, "objective of epoch " + (e + 1));
    }
    assertArrayEquals(expected, r.params());
    assertEquals(20, r.rowsPerEpoch());
  }

  @Test
  void stopsOnceTheObjectiveChangesLessThanTol() {
    // the loss halves its distance to 1 each epoch: 2, 1.5, 1.25, 1.125, ...; relative change 0.0625 after epoch 5
    ScriptedRunner runner = new ScriptedRunner((in, p) -> new PartitionUpdate(p, in.params(), in.state(), 1,
        1 + Math.pow(0.5, in.epoch() - 1), 1, 1, 1, 0));
    TrainingResult r = TrainingLoop.fit("test", config(OptimizerKind.SGD, 50, 0f), new float[3], runner, 0.07);
    assertTrue(r.converged());
    assertEquals(5, r.epochs(), "|1.125 - 1.0625| = 0.0625 <= 0.07·1.0625 first after epoch 5");
    assertEquals(5, r.objectiveHistory().length);
    TrainingResult all = TrainingLoop.fit("test", config(OptimizerKind.SGD, 8, 0f), new float[3],
        new ScriptedRunner(runner.script), 0);
    assertEquals(8, all.epochs(), "tol 0 runs every epoch");
    assertFalse(all.converged());
  }

  @Test
  void divergenceIsReportedNotReturned() {
    ScriptedRunner runner = new ScriptedRunner((in, p) -> new PartitionUpdate(p,
        in.epoch() == 2 ? new float[] {Float.NaN, 0, 0} : in.params(), in.state(), 1, 1, 1, 1, 1, 0));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TrainingLoop.fit("LinearRegression", config(OptimizerKind.SGD, 5, 0f), new float[3], runner, 0));
    String m = e.getMessage();
    assertTrue(m.contains("LinearRegression") && m.contains("diverged in epoch 2") && m.contains("learningRate"),
        m);
  }

  @Test
  void initialParametersMustMatchTheNetwork() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingLoop.fit("test",
        config(OptimizerKind.SGD, 1, 0f), new float[4], new ScriptedRunner((in, p) -> null), 0));
    assertTrue(e.getMessage().contains("expecting 3") && e.getMessage().contains("got 4"), e.getMessage());
  }
}
