package io.sparkgpu.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExecutorDeviceReportTest {
  @Test
  void aReportSurvivesItsMessageForm() {
    ExecutorDeviceReport withGpu = new ExecutorDeviceReport("3", "host-a", "1", "cpu", "GPU 1 assigned but ...");
    ExecutorDeviceReport without = new ExecutorDeviceReport("driver", "host-b", null, "cpu", "no GPU");
    assertEquals(Optional.of(withGpu), ExecutorDeviceReport.fromMessage(withGpu.toMessage()));
    assertEquals(Optional.of(without), ExecutorDeviceReport.fromMessage(without.toMessage()));
  }

  @Test
  void otherMessagesAreNotReports() {
    assertEquals(Optional.empty(), ExecutorDeviceReport.fromMessage("hello"));
    assertEquals(Optional.empty(), ExecutorDeviceReport.fromMessage(Map.of("type", "other")));
    assertEquals(Optional.empty(), ExecutorDeviceReport.fromMessage(null));
  }
}
