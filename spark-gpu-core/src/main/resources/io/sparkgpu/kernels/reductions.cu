// Kernels of the CUDA backend that return a sum: each block writes one double partial sum, and the host adds the
// partials in block order (a deterministic total). They must be launched with SG_REDUCE_BLOCK threads per block.
// No #include: NVRTC (at run time) and nvcc (build check) compile this file alone.

#define SG_REDUCE_BLOCK 256

#define SG_LOSS_SQUARED_ERROR 0
#define SG_LOSS_LOGISTIC 1
#define SG_LOSS_SOFTMAX_CROSS_ENTROPY 2

// Adds the block's values and lets thread 0 write the sum to partials[blockIdx.x].
__device__ void sg_block_sum(double value, double* partials) {
  __shared__ double sums[SG_REDUCE_BLOCK];
  sums[threadIdx.x] = value;
  __syncthreads();
  for (int stride = SG_REDUCE_BLOCK / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) {
      sums[threadIdx.x] += sums[threadIdx.x + stride];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    partials[blockIdx.x] = sums[0];
  }
}

__device__ double sg_sigmoid(double z) {
  return z >= 0.0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

// log(1 + e^z) without overflow.
__device__ double sg_softplus(double z) {
  return z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

// The fused output layer and loss (see io.sparkgpu.backend.Loss), one thread per row of z (rows x k):
// grad := gradScale * w * dl/dz and partials receive the sums of w * l. Arithmetic in double, as on the CPU.
// A softmax label outside [0, k) yields a NaN loss rather than a read outside the row.
extern "C" __global__ void sg_loss_gradient(int loss, const float* z, const float* labels, const float* weights,
    float gradScale, float* grad, int rows, int k, double* partials) {
  double total = 0.0;
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < rows; i += (long long) blockDim.x * gridDim.x) {
    double w = (double) weights[i];
    double y = (double) labels[i];
    const float* zi = z + i * k;
    float* gi = grad + i * k;
    if (loss == SG_LOSS_SQUARED_ERROR) {
      double r = (double) zi[0] - y;
      total += w * 0.5 * r * r;
      gi[0] = (float) (gradScale * w * r);
    } else if (loss == SG_LOSS_LOGISTIC) {
      double v = (double) zi[0];
      total += w * (sg_softplus(v) - y * v);
      gi[0] = (float) (gradScale * w * (sg_sigmoid(v) - y));
    } else {
      int label = (int) y;
      double max = (double) zi[0];
      for (int j = 1; j < k; j++) {
        max = fmax(max, (double) zi[j]);
      }
      double sum = 0.0;
      for (int j = 0; j < k; j++) {
        sum += exp((double) zi[j] - max);
      }
      double logSum = max + log(sum);
      bool valid = label >= 0 && label < k;
      total += valid ? w * (logSum - (double) zi[label]) : __longlong_as_double(0x7ff8000000000000LL);
      for (int j = 0; j < k; j++) {
        double p = exp((double) zi[j] - logSum);
        gi[j] = (float) (gradScale * w * (p - (j == label ? 1.0 : 0.0)));
      }
    }
  }
  sg_block_sum(total, partials);
}

// partials receive the sums of x[i]^2 in double.
extern "C" __global__ void sg_sum_of_squares(const float* x, long long n, double* partials) {
  double total = 0.0;
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    double v = (double) x[i];
    total += v * v;
  }
  sg_block_sum(total, partials);
}
