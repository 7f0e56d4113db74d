/* rolling_cuda.h - the CUDA implementation behind gpu/rolling.h, internal to
 * gpu/: gpu/rolling.c dispatches to it.  Built from gpu/rolling_cuda.cu when
 * configure found nvcc (HAVE_CUDA); without it gpu/rolling.c answers "built
 * without CUDA" and never calls these. */
#ifndef NBPY_GPU_ROLLING_CUDA_H
#define NBPY_GPU_ROLLING_CUDA_H

#include "gpu/rolling.h"

#ifdef __cplusplus
extern "C" {
#endif

/* true when a CUDA device can be used; false with the reason (the CUDA
 * runtime's error string) in why. */
bool nbpy_rolling_cuda_usable(char *why, size_t whylen);

/* nbpy_rolling_batch on the GPU, for a count window (p->window_ns == 0):
 * columnar input copied from (pinned) host memory in chunks overlapped with
 * compute, output copied back.  0, or -1 with the CUDA error in err. */
int nbpy_rolling_cuda_batch(const struct nbpy_rolling_params *p,
			    const struct nbpy_rolling_input *in,
			    const struct nbpy_rolling_output *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
