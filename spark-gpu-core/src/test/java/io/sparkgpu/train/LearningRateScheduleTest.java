package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link LearningRateSchedule}: the multiplier as a function of the fraction of training done. */
class LearningRateScheduleTest {

  @Test
  void constantIsOneEverywhere() {
    for (double p : new double[] {-1, 0, 0.3, 0.5, 1, 2}) {
      assertEquals(1.0, LearningRateSchedule.CONSTANT.factor(p));
    }
  }

  @Test
  void stepDividesByTenAtHalfAndThreeQuarters() {
    LearningRateSchedule s = LearningRateSchedule.STEP;
    assertEquals(1.0, s.factor(0));
    assertEquals(1.0, s.factor(0.4999));
    assertEquals(0.1, s.factor(0.5));
    assertEquals(0.1, s.factor(0.7499));
    assertEquals(0.01, s.factor(0.75));
    assertEquals(0.01, s.factor(1));
  }

  @Test
  void cosineIsHalfACosineFromOneToZero() {
    LearningRateSchedule s = LearningRateSchedule.COSINE;
    assertEquals(1.0, s.factor(0), 1e-15);
    assertEquals(0.5, s.factor(0.5), 1e-15);
    assertEquals(0.0, s.factor(1), 1e-15);
    // cos(π/4) = √2/2, cos(3π/4) = -√2/2
    assertEquals((1 + Math.sqrt(0.5)) / 2, s.factor(0.25), 1e-15);
    assertEquals((1 - Math.sqrt(0.5)) / 2, s.factor(0.75), 1e-15);
    double previous = 2;
    for (int i = 0; i <= 100; i++) {
      double f = s.factor(i / 100.0);
      assertTrue(f <= previous && f >= 0 && f <= 1, "monotone in [0, 1] at " + i + "%");
      previous = f;
    }
  }

  @Test
  void progressOutsideTheRangeIsClamped() {
    assertEquals(1.0, LearningRateSchedule.COSINE.factor(-0.5), 1e-15);
    assertEquals(0.0, LearningRateSchedule.COSINE.factor(3), 1e-15);
    assertEquals(0.01, LearningRateSchedule.STEP.factor(7));
    assertEquals(1.0, LearningRateSchedule.STEP.factor(-7));
  }

  @Test
  void namesParseCaseInsensitively() {
    assertEquals(LearningRateSchedule.COSINE, LearningRateSchedule.fromName("Cosine"));
    assertEquals(LearningRateSchedule.STEP, LearningRateSchedule.fromName("step"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LearningRateSchedule.fromName("linear"));
    assertTrue(e.getMessage().contains("'linear'") && e.getMessage().contains("constant, step, cosine"),
        e.getMessage());
  }
}
