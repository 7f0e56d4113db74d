/* rolling_cuda_bench.h - hooks of gpu/rolling_cuda.cu for the GPU benchmark
 * (bench/gpu_rolling.c) and the tests: an emulation, page-locked host memory, the kernels
 * timed on data already on the device, and the copy bandwidths they are
 * compared with.  Only with HAVE_CUDA; not part of gpu/rolling.h. */
#ifndef NBPY_GPU_ROLLING_CUDA_BENCH_H
#define NBPY_GPU_ROLLING_CUDA_BENCH_H

#include "gpu/rolling.h"

#ifdef __cplusplus
extern "C" {
#endif

/* nbpy_rolling_cuda_batch's very steps run on the host, each thread block's
 * threads one after the other (a plain scan for CUB's block scan), in
 * chunks of chunk_rows output rows (0: the batch's): the tiling, halos and
 * scans tested where there is no GPU.  Slow; 0, or -1 with err. */
int nbpy_rolling_cuda_emulate(const struct nbpy_rolling_params *p,
			      const struct nbpy_rolling_input *in,
			      const struct nbpy_rolling_output *out, size_t chunk_rows, char *err,
			      size_t errlen);

/* Page-locked host memory (cudaMallocHost): copies from it run at the
 * PCIe bound and overlap compute.  NULL when it cannot be had. */
void *nbpy_rolling_cuda_host_alloc(size_t bytes);
void nbpy_rolling_cuda_host_free(void *p);

/* Copies in once, then runs the kernels of nbpy_rolling_cuda_batch over all
 * of in's rows, reps times, output left on the device; the fastest run's
 * seconds (CUDA events) in *best_s.  0, or -1 with the CUDA error in err. */
int nbpy_rolling_cuda_resident(const struct nbpy_rolling_params *p,
			       const struct nbpy_rolling_input *in, int reps, double *best_s,
			       char *err, size_t errlen);

/* Best of 5 cudaMemcpy of `bytes`: device to device (bytes read + written
 * per second: what HBM moves), page-locked host to device and device to
 * host (bytes per second over PCIe).  0, or -1 with the CUDA error in err. */
int nbpy_rolling_cuda_bandwidth(size_t bytes, double *d2d_bps, double *h2d_bps, double *d2h_bps,
				char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
