// CSR x dense products of the CUDA backend. A is rows x ? in CSR form; rowPtr points at the view's first row and
// holds absolute indices into colIdx and vals (a row-range view shares the parent's arrays). B and C are row-major.
// No #include: NVRTC (at run time) and nvcc (build check) compile this file alone.

// C := alpha * A * B + beta * C, with B (cols(A) x n) and C (rows x n). One thread per element of C; neighbouring
// threads read neighbouring elements of a row of B. beta == 0 ignores the old C (BLAS convention).
extern "C" __global__ void sg_csr_mm(int rows, int n, const int* rowPtr, const int* colIdx, const float* vals,
    float alpha, const float* b, float beta, float* c) {
  long long total = (long long) rows * n;
  for (long long e = blockIdx.x * (long long) blockDim.x + threadIdx.x; e < total; e += (long long) blockDim.x * gridDim.x) {
    long long i = e / n;
    long long q = e % n;
    float acc = 0.0f;
    for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      acc += vals[p] * b[(long long) colIdx[p] * n + q];
    }
    c[e] = alpha * acc + (beta == 0.0f ? 0.0f : beta * c[e]);
  }
}

// C += alpha * A^T * B, with B (rows x n) and C (cols(A) x n); the caller scales C by beta first. One thread per
// element of B; rows of A scatter into rows of C, so the additions are atomic (their order is not fixed).
extern "C" __global__ void sg_csr_t_mm_add(int rows, int n, const int* rowPtr, const int* colIdx, const float* vals,
    float alpha, const float* b, float* c) {
  long long total = (long long) rows * n;
  for (long long e = blockIdx.x * (long long) blockDim.x + threadIdx.x; e < total; e += (long long) blockDim.x * gridDim.x) {
    long long i = e / n;
    long long q = e % n;
    float scaled = alpha * b[e];
    for (int p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      atomicAdd(&c[(long long) colIdx[p] * n + q], vals[p] * scaled);
    }
  }
}
