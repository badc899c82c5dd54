package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShutdownStepsTest {
  @Test
  void everyStepRunsAndTheFirstFailureIsThrownWithTheOthersSuppressed() {
    List<String> ran = new ArrayList<>();
    IllegalStateException first = new IllegalStateException("first");
    UnsatisfiedLinkError third = new UnsatisfiedLinkError("third");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ShutdownSteps("tear-down")
        .add("a", () -> {
          ran.add("a");
          throw first;
        })
        .add("b", () -> ran.add("b"))
        .add("c", () -> {
          ran.add("c");
          throw third;
        })
        .run());
    assertEquals(List.of("a", "b", "c"), ran);
    assertSame(first, e.getCause());
    assertTrue(e.getMessage().startsWith("tear-down failed at step 'a'"), e.getMessage());
    assertEquals(1, e.getSuppressed().length);
    assertSame(third, e.getSuppressed()[0]);
  }

  @Test
  void noFailureThrowsNothing() {
    List<String> ran = new ArrayList<>();
    new ShutdownSteps("tear-down").add("a", () -> ran.add("a")).add("b", () -> ran.add("b")).run();
    assertEquals(List.of("a", "b"), ran);
  }
}
