// Optimizer updates of the CUDA backend (see io.sparkgpu.backend.ComputeBackend#optimizerStep): one thread per
// parameter; element i uses the gradient g[i] + l2[i] * w[i], then the L1 proximal step shrinks |w[i]|.
// No #include: NVRTC (at run time) and nvcc (build check) compile this file alone.

// sign(w) * max(|w| - t, 0); t <= 0 leaves w unchanged.
__device__ float sg_shrink(float w, float t) {
  if (t <= 0.0f) {
    return w;
  }
  return w > t ? w - t : (w < -t ? w + t : 0.0f);
}

// v := mu * v + g; w := shrink(w - lr * v, lr * l1 / (1 - mu)). The threshold carries momentum's 1/(1 - mu) gain
// like the gradient step, so that the fixed point is the L1 optimum g + l1 * sign(w) = 0.
extern "C" __global__ void sg_sgd_step(float* w, const float* g, float* v, const float* l2, const float* l1, int n,
    float lr, float mu) {
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    float wi = w[i];
    float gi = g[i] + l2[i] * wi;
    float vi = mu * v[i] + gi;
    v[i] = vi;
    wi -= lr * vi;
    w[i] = sg_shrink(wi, lr * l1[i] / (1.0f - mu));
  }
}

// Adam with bias correction factors c1 = 1 / (1 - b1^t) and c2 = 1 / (1 - b2^t) computed on the host;
// the L1 threshold is scaled by the same denominator as the step.
extern "C" __global__ void sg_adam_step(float* w, const float* g, float* m, float* v, const float* l2,
    const float* l1, int n, float lr, float b1, float b2, float c1, float c2, float eps) {
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n; i += (long long) blockDim.x * gridDim.x) {
    float wi = w[i];
    float gi = g[i] + l2[i] * wi;
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    float denom = sqrtf(vi * c2) + eps;
    wi -= lr * (mi * c1) / denom;
    w[i] = sg_shrink(wi, lr * l1[i] / denom);
  }
}
