package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GpuAssignmentTest {

  @Test
  void oneAddress() {
    assertEquals(List.of(1), GpuAssignment.parseAddresses("gpu", new String[] {"1"}));
    assertEquals(List.of(0), GpuAssignment.parseAddresses("gpu", new String[] {" 0 "}));
  }

  @Test
  void severalAddressesKeepSparksOrder() {
    assertEquals(List.of(3, 1, 2), GpuAssignment.parseAddresses("gpu", new String[] {"3", "1", "2"}));
  }

  @Test
  void noAddresses() {
    assertEquals(List.of(), GpuAssignment.parseAddresses("gpu", null));
    assertEquals(List.of(), GpuAssignment.parseAddresses("gpu", new String[0]));
  }

  @Test
  void anAddressThatIsNoOrdinalNamesTheResourceAndTheSetting() {
    for (String bad : new String[] {"GPU-8f3c2a", "-1", "", "1.0", "99999999999"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GpuAssignment.parseAddresses("nvidia.com/gpu", new String[] {"0", bad}));
      String m = e.getMessage();
      assertTrue(m.contains("'nvidia.com/gpu'") && m.contains("'" + bad + "'") && m.contains("ordinal")
          && m.contains(CudaSettings.RESOURCE_NAME_KEY), m);
    }
  }

  @Test
  void localModeSpreadsPartitionsModuloTheVisibleDevices() {
    assertEquals(0, GpuAssignment.localDevice(0, 1));
    assertEquals(0, GpuAssignment.localDevice(7, 1));
    assertEquals(1, GpuAssignment.localDevice(5, 2));
    assertEquals(3, GpuAssignment.localDevice(11, 4));
    assertEquals(0, GpuAssignment.localDevice(12, 4));
    assertThrows(IllegalArgumentException.class, () -> GpuAssignment.localDevice(3, 0));
  }

  @Test
  void addressesMapToOrdinalsAlsoUnderIsolation() {
    assertEquals(2, GpuAssignment.ordinalForAddress(2, 4));
    // CUDA_VISIBLE_DEVICES shows only the assigned GPU: it is device 0 of this process
    assertEquals(0, GpuAssignment.ordinalForAddress(5, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GpuAssignment.ordinalForAddress(3, 2));
    assertTrue(e.getMessage().contains("address 3") && e.getMessage().contains("2 CUDA device(s)"), e.getMessage());
  }
}
