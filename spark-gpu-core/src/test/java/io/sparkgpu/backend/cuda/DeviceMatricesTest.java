package io.sparkgpu.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgpu.backend.CsrMatrix;
import io.sparkgpu.backend.DenseMatrix;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The host-side bookkeeping of device matrices (offsets of views, ownership, use after close), with buffers that are
 * never allocated: no GPU is touched, the release callback records what would be freed.
 */
class DeviceMatricesTest {
  private final List<DeviceBuffer> freed = new ArrayList<>();

  private DeviceBuffer buffer(long bytes) {
    return new DeviceBuffer(new CUdeviceptr(), bytes, freed::add);
  }

  /** The byte offset a pointer carries (JCuda adds it to the address when it passes the pointer to CUDA). */
  private static long byteOffset(Pointer p) throws Exception {
    Method m = Pointer.class.getDeclaredMethod("getByteOffset");
    m.setAccessible(true);
    return (long) m.invoke(p);
  }

  @Test
  void viewsOfViewsAddressTheParentsElements() throws Exception {
    CudaDenseMatrix m = new CudaDenseMatrix(buffer(4L * 8 * 9), 0, 8, 9, true);
    assertEquals(0, byteOffset(m.pointer()));
    CudaDenseMatrix rows = (CudaDenseMatrix) m.rowRange(3, 4);
    assertEquals(4L * 27, byteOffset(rows.pointer()));
    CudaDenseMatrix v = (CudaDenseMatrix) rows.view(5, 2, 10);
    assertEquals(32, v.offset);
    assertEquals(4L * 32, byteOffset(v.pointer()));
    assertEquals(4L * (32 + 7), byteOffset(v.pointer(7)), "element 7 of the view");
    assertEquals(4L * (27 + 36), byteOffset(rows.pointer(36)), "one past the end is a valid address");
  }

  @Test
  void viewsOutsideTheMatrixAreRejected() {
    CudaDenseMatrix m = new CudaDenseMatrix(buffer(4L * 12), 0, 3, 4, true);
    assertThrows(IllegalArgumentException.class, () -> m.view(5, 2, 4));
    assertThrows(IllegalArgumentException.class, () -> m.rowRange(2, 2));
    assertThrows(IllegalArgumentException.class, () -> m.view(-1, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new CudaDenseMatrix(buffer(4L * 11), 0, 3, 4, true));
  }

  @Test
  void onlyTheOwnerFreesAndOnlyOnce() {
    DeviceBuffer b = buffer(4L * 6);
    CudaDenseMatrix m = new CudaDenseMatrix(b, 0, 2, 3, true);
    DenseMatrix view = m.rowRange(1, 1);
    view.close();
    assertTrue(freed.isEmpty(), "closing a view frees nothing");
    m.close();
    m.close();
    assertEquals(List.of(b), freed);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ((CudaDenseMatrix) view).pointer());
    assertTrue(e.getMessage().contains("after"), e.getMessage());
  }

  @Test
  void csrRowRangesCountTheirNonZerosAndPointAtTheirFirstRow() throws Exception {
    int[] rowPtr = {0, 2, 2, 5, 6};
    DeviceBuffer rp = buffer(4L * rowPtr.length);
    DeviceBuffer ci = buffer(4L * 6);
    DeviceBuffer va = buffer(4L * 6);
    CudaCsrMatrix a = new CudaCsrMatrix(rp, ci, va, rowPtr, 0, 4, 7, true);
    assertEquals(6, a.nonZeros());
    CudaCsrMatrix mid = (CudaCsrMatrix) a.rowRange(1, 2);
    assertEquals(3, mid.nonZeros());
    assertEquals(4, byteOffset(mid.rowPtrPointer()), "row pointers start at row 1");
    CsrMatrix last = mid.rowRange(1, 1);
    assertEquals(3, last.nonZeros());
    assertEquals(7, last.cols());
    assertThrows(IllegalArgumentException.class, () -> a.rowRange(1, 4));
    mid.close();
    assertTrue(freed.isEmpty(), "a row range owns nothing");
    a.close();
    assertEquals(List.of(rp, ci, va), freed);
  }

  @Test
  void aBufferRefusesOffsetsOutsideIt() {
    DeviceBuffer b = buffer(16);
    assertThrows(IllegalArgumentException.class, () -> b.at(17));
    assertThrows(IllegalArgumentException.class, () -> b.at(-4));
  }

  @Test
  void csrArraysAreCheckedOnTheHost() {
    CudaBackend.checkCsr(2, 3, new int[] {0, 1, 2}, new int[] {2, 0}, new float[] {1f, 2f});
    CudaBackend.checkCsr(2, 3, new int[] {0, 0, 0}, new int[0], new float[0]);
    assertThrows(IllegalArgumentException.class,
        () -> CudaBackend.checkCsr(3, 4, new int[] {0, 1, 2}, new int[] {0, 1}, new float[] {1f, 1f}));
    IllegalArgumentException col = assertThrows(IllegalArgumentException.class,
        () -> CudaBackend.checkCsr(2, 3, new int[] {0, 1, 2}, new int[] {2, 3}, new float[] {1f, 2f}));
    assertTrue(col.getMessage().contains("Column index 3") && col.getMessage().contains("[0, 3)"),
        col.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> CudaBackend.checkCsr(2, 3, new int[] {0, 2, 1}, new int[] {0, 1}, new float[] {1f, 2f}),
        "decreasing row pointers");
    assertThrows(IllegalArgumentException.class,
        () -> CudaBackend.checkCsr(2, 3, new int[] {0, 1, 3}, new int[] {0, 1}, new float[] {1f, 2f}),
        "more non-zeros than values");
  }
}
