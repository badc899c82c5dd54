// Element-wise and per-column kernels of the CUDA backend (io.sparkgpu.backend.cuda.CudaBackend).
// Matrices are float32, row-major, addressed through pointers that already include a view's offset.
// Every kernel uses a grid-stride loop, so any grid size is correct; the host picks it (LaunchShape).
// Compiled at run time by NVRTC for the device found, and by nvcc in the build as a compile check:
// keep the file free of #include so that both compile it the same way.

#define SG_ACT_IDENTITY 0
#define SG_ACT_RELU 1
#define SG_ACT_SIGMOID 2
#define SG_ACT_TANH 3

// x := beta * x; beta == 0 writes zeros, so NaN or garbage in x does not survive (BLAS convention).
extern "C" __global__ void sg_scale(float* x, long long n, float beta) {
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    x[i] = beta == 0.0f ? 0.0f : beta * x[i];
  }
}

// z[i, j] += bias[j] over a rows x cols matrix of n = rows * cols elements.
extern "C" __global__ void sg_add_row_vector(float* z, const float* bias, long long n, int cols) {
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    z[i] += bias[i % cols];
  }
}

// out[j] := alpha * sum_i x[i, j] + beta * out[j], summed in double like the CPU backend.
// One thread per column: neighbouring threads read neighbouring elements of a row.
extern "C" __global__ void sg_column_sums(const float* x, int rows, int cols, float alpha, float beta, float* out) {
  for (long long j = blockIdx.x * (long long) blockDim.x + threadIdx.x; j < cols; j += (long long) blockDim.x * gridDim.x) {
    double sum = 0.0;
    for (long long i = 0; i < rows; i++) {
      sum += (double) x[i * cols + j];
    }
    double previous = beta == 0.0f ? 0.0 : (double) (beta * out[j]);
    out[j] = (float) ((double) alpha * sum + previous);
  }
}

__device__ float sg_sigmoidf(float z) {
  if (z >= 0.0f) {
    return 1.0f / (1.0f + expf(-z));
  }
  float e = expf(z);
  return e / (1.0f + e);
}

// z := f(z) element-wise.
extern "C" __global__ void sg_activate(int f, float* z, long long n) {
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    float v = z[i];
    if (f == SG_ACT_RELU) {
      z[i] = v > 0.0f ? v : 0.0f;
    } else if (f == SG_ACT_SIGMOID) {
      z[i] = sg_sigmoidf(v);
    } else if (f == SG_ACT_TANH) {
      z[i] = tanhf(v);
    }
  }
}

// grad := grad * f'(z), where out = f(z).
extern "C" __global__ void sg_activation_backward(int f, const float* out, float* grad, long long n) {
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    float y = out[i];
    float derivative = 1.0f;
    if (f == SG_ACT_RELU) {
      derivative = y > 0.0f ? 1.0f : 0.0f;
    } else if (f == SG_ACT_SIGMOID) {
      derivative = y * (1.0f - y);
    } else if (f == SG_ACT_TANH) {
      derivative = 1.0f - y * y;
    }
    grad[i] *= derivative;
  }
}

// Row-wise softmax in place over a rows x k matrix, in double like the CPU backend. One thread per row.
extern "C" __global__ void sg_softmax_rows(float* z, int rows, int k) {
  for (long long r = blockIdx.x * (long long) blockDim.x + threadIdx.x; r < rows; r += (long long) blockDim.x * gridDim.x) {
    float* row = z + r * k;
    double max = (double) row[0];
    for (int j = 1; j < k; j++) {
      max = fmax(max, (double) row[j]);
    }
    double sum = 0.0;
    for (int j = 0; j < k; j++) {
      sum += exp((double) row[j] - max);
    }
    for (int j = 0; j < k; j++) {
      row[j] = (float) (exp((double) row[j] - max) / sum);
    }
  }
}
