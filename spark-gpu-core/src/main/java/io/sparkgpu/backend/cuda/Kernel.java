package io.sparkgpu.backend.cuda;

import java.util.List;

/**
 * Every kernel the CUDA backend launches: the {@code .cu} resource that defines it, its {@code extern "C"} name and
 * its parameter kinds in order. A test reads the sources and checks each declaration against this list, and every
 * launch checks its arguments against it, so a launch cannot silently pass the wrong number or kinds of arguments.
 */
enum Kernel {
  SCALE("elementwise.cu", "sg_scale", ArgKind.POINTER, ArgKind.LONG, ArgKind.FLOAT),
  ADD_ROW_VECTOR("elementwise.cu", "sg_add_row_vector", ArgKind.POINTER, ArgKind.POINTER, ArgKind.LONG, ArgKind.INT),
  COLUMN_SUMS("elementwise.cu", "sg_column_sums", ArgKind.POINTER, ArgKind.INT, ArgKind.INT, ArgKind.FLOAT,
      ArgKind.FLOAT, ArgKind.POINTER),
  ACTIVATE("elementwise.cu", "sg_activate", ArgKind.INT, ArgKind.POINTER, ArgKind.LONG),
  ACTIVATION_BACKWARD("elementwise.cu", "sg_activation_backward", ArgKind.INT, ArgKind.POINTER, ArgKind.POINTER,
      ArgKind.LONG),
  SOFTMAX_ROWS("elementwise.cu", "sg_softmax_rows", ArgKind.POINTER, ArgKind.INT, ArgKind.INT),
  LOSS_GRADIENT("reductions.cu", "sg_loss_gradient", ArgKind.INT, ArgKind.POINTER, ArgKind.POINTER,
      ArgKind.POINTER, ArgKind.FLOAT, ArgKind.POINTER, ArgKind.INT, ArgKind.INT, ArgKind.POINTER),
  SUM_OF_SQUARES("reductions.cu", "sg_sum_of_squares", ArgKind.POINTER, ArgKind.LONG, ArgKind.POINTER),
  CSR_MM("sparse.cu", "sg_csr_mm", ArgKind.INT, ArgKind.INT, ArgKind.POINTER, ArgKind.POINTER, ArgKind.POINTER,
      ArgKind.FLOAT, ArgKind.POINTER, ArgKind.FLOAT, ArgKind.POINTER),
  CSR_T_MM_ADD("sparse.cu", "sg_csr_t_mm_add", ArgKind.INT, ArgKind.INT, ArgKind.POINTER, ArgKind.POINTER,
      ArgKind.POINTER, ArgKind.FLOAT, ArgKind.POINTER, ArgKind.POINTER),
  SGD_STEP("optimizer.cu", "sg_sgd_step", ArgKind.POINTER, ArgKind.POINTER, ArgKind.POINTER, ArgKind.POINTER,
      ArgKind.POINTER, ArgKind.INT, ArgKind.FLOAT, ArgKind.FLOAT),
  ADAM_STEP("optimizer.cu", "sg_adam_step", ArgKind.POINTER, ArgKind.POINTER, ArgKind.POINTER, ArgKind.POINTER,
      ArgKind.POINTER, ArgKind.POINTER, ArgKind.INT, ArgKind.FLOAT, ArgKind.FLOAT, ArgKind.FLOAT, ArgKind.FLOAT,
      ArgKind.FLOAT, ArgKind.FLOAT);

  /** C parameter kinds as the launch marshals them: a device pointer, int, long long, float. */
  enum ArgKind {
    POINTER,
    INT,
    LONG,
    FLOAT
  }

  final String file;
  final String symbol;
  final List<ArgKind> params;

  Kernel(String file, String symbol, ArgKind... params) {
    this.file = file;
    this.symbol = symbol;
    this.params = List.of(params);
  }

  /** Throws when a launch's arguments differ from the declaration: a programming error, caught before the GPU. */
  void checkArguments(List<ArgKind> kinds) {
    if (!params.equals(kinds)) {
      throw new IllegalStateException("Kernel " + symbol + " takes " + params + " but the launch passes " + kinds);
    }
  }
}
