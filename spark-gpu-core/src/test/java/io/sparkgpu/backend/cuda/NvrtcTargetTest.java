package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NvrtcTargetTest {
  /** What NVRTC 12.0 reports. */
  private static final int[] NVRTC_12_0 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};

  @Test
  void aKnownArchitectureGetsMachineCode() {
    NvrtcTarget t = NvrtcTarget.choose(80, NVRTC_12_0);
    assertEquals(new NvrtcTarget(80, true), t);
    assertEquals("--gpu-architecture=sm_80", t.option());
    assertEquals("--gpu-architecture=sm_90", NvrtcTarget.choose(90, NVRTC_12_0).option());
  }

  @Test
  void aNewerGpuGetsPtxOfTheNewestKnownArchitecture() {
    NvrtcTarget t = NvrtcTarget.choose(100, NVRTC_12_0);
    assertEquals(new NvrtcTarget(90, false), t);
    assertEquals("--gpu-architecture=compute_90", t.option());
    assertEquals(new NvrtcTarget(80, false), NvrtcTarget.choose(85, NVRTC_12_0));
  }

  @Test
  void unknownSupportListTriesTheDevice() {
    assertEquals(new NvrtcTarget(89, true), NvrtcTarget.choose(89, new int[0]));
  }

  @Test
  void aTooOldGpuIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NvrtcTarget.choose(35, NVRTC_12_0));
    assertTrue(e.getMessage().contains("3.5") && e.getMessage().contains("5.0"), e.getMessage());
  }
}
