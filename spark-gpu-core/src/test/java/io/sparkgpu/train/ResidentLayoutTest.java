package io.sparkgpu.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link ResidentLayout#choose}: dense stays dense; sparse is densified only when dense enough and within budget. */
class ResidentLayoutTest {

  @Test
  void denseInputStaysDenseWhateverTheBudget() {
    assertEquals(ResidentLayout.DENSE, ResidentLayout.choose(1000, 100, 100_000, false, 1));
    assertEquals(ResidentLayout.DENSE, ResidentLayout.choose(1000, 100, 3, false, 0));
  }

  @Test
  void sparseInputIsDensifiedFromTwentyPercentWhenItFits() {
    // 1000 x 100 = 100000 cells, 400000 bytes dense
    assertEquals(ResidentLayout.DENSE, ResidentLayout.choose(1000, 100, 20_000, true, 400_000));
    assertEquals(ResidentLayout.SPARSE, ResidentLayout.choose(1000, 100, 19_999, true, 400_000));
    assertEquals(ResidentLayout.DENSE, ResidentLayout.choose(1000, 100, 100_000, true, 400_000));
  }

  @Test
  void sparseInputIsNeverDensifiedBeyondTheBudget() {
    assertEquals(ResidentLayout.SPARSE, ResidentLayout.choose(1000, 100, 100_000, true, 399_999));
    // a9a-like: 32561 x 123 at 11% density stays sparse even with a large budget
    assertEquals(ResidentLayout.SPARSE, ResidentLayout.choose(32_561, 123, 451_592, true, 1L << 40));
  }

  @Test
  void noRowsIsSparse() {
    assertEquals(ResidentLayout.SPARSE, ResidentLayout.choose(0, 100, 0, true, 1L << 30));
  }
}
