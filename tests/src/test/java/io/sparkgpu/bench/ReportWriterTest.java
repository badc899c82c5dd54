package io.sparkgpu.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportWriterTest {
  @Test
  void p2IsMetOnlyWhenBothReadingsReachHalfTheBoundOnEverySet() {
    assertEquals("met", ReportWriter.p2Status(List.of(), List.of()));
    assertEquals("not met (trainer against the same bytes below 50% on synth1m)",
        ReportWriter.p2Status(List.of(), List.of("synth1m")));
    assertEquals("not met (driver-timed fit epoch below 50% on synth1m, synth4m; trainer against the same bytes "
        + "below 50% on synth4m)", ReportWriter.p2Status(List.of("synth1m", "synth4m"), List.of("synth4m")));
  }
}
