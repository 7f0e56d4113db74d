/* rolling.c - the device-independent half of gpu/rolling.h: parameter
 * checks, device names and choice, and the batch entry point, which runs
 * the CPU window (gpu/rolling_cpu.c) per segment or hands the batch to the
 * CUDA implementation (gpu/rolling_cuda.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "autoconfig.h"
#include "gpu/rolling.h"
#include "gpu/rolling_cpu.h"

#ifdef HAVE_CUDA
#define WITH_CUDA 1
#include "gpu/rolling_cuda.h"
#endif

int nbpy_rolling_params_check(const struct nbpy_rolling_params *p, char *err, size_t errlen)
{
	if (p->window < 1 || p->window > NBPY_ROLLING_WINDOW_MAX) {
		(void)snprintf(err, errlen, "window %" PRIu32 ": must be 1..%u", p->window,
			       NBPY_ROLLING_WINDOW_MAX);
		return -1;
	}
	if (p->window_ns < 0) {
		(void)snprintf(err, errlen, "window_ns %" PRId64 ": must be >= 0", p->window_ns);
		return -1;
	}
	if (p->min_periods > p->window) {
		(void)snprintf(err, errlen, "min_periods %" PRIu32 ": must be <= window (%" PRIu32 ")",
			       p->min_periods, p->window);
		return -1;
	}
	return 0;
}

static const char *const DEVICE_NAMES[] = {
	[NBPY_DEVICE_AUTO] = "auto",
	[NBPY_DEVICE_CPU] = "cpu",
	[NBPY_DEVICE_CUDA] = "cuda",
};

int nbpy_device_parse(const char *s, enum nbpy_device *out)
{
	size_t i;

	for (i = 0; i < sizeof(DEVICE_NAMES) / sizeof(DEVICE_NAMES[0]); i++) {
		if (strcmp(s, DEVICE_NAMES[i]) == 0) {
			*out = (enum nbpy_device)i;
			return 0;
		}
	}
	return -1;
}

const char *nbpy_device_name(enum nbpy_device d)
{
	return (unsigned)d < sizeof(DEVICE_NAMES) / sizeof(DEVICE_NAMES[0]) ? DEVICE_NAMES[d] : "?";
}

bool nbpy_cuda_usable(char *why, size_t whylen)
{
#ifdef WITH_CUDA
	return nbpy_rolling_cuda_usable(why, whylen);
#else
	(void)snprintf(why, whylen, "built without CUDA");
	return false;
#endif
}

int nbpy_rolling_device_pick(enum nbpy_device want, size_t n_rows,
			     const struct nbpy_rolling_params *p, enum nbpy_device *got,
			     char *err, size_t errlen)
{
	char why[256];

	switch (want) {
	case NBPY_DEVICE_CPU:
		*got = NBPY_DEVICE_CPU;
		return 0;
	case NBPY_DEVICE_CUDA:
		if (p->window_ns > 0) {
			(void)snprintf(err, errlen, "device cuda: a time window is computed on the CPU only");
			return -1;
		}
		if (!nbpy_cuda_usable(why, sizeof(why))) {
			(void)snprintf(err, errlen, "device cuda: %s", why);
			return -1;
		}
		*got = NBPY_DEVICE_CUDA;
		return 0;
	case NBPY_DEVICE_AUTO:
		/* the cheap tests first: asking the CUDA runtime starts it */
		*got = p->window_ns == 0 && n_rows >= NBPY_ROLLING_CUDA_MIN_ROWS &&
				       nbpy_cuda_usable(why, sizeof(why))
			       ? NBPY_DEVICE_CUDA
			       : NBPY_DEVICE_CPU;
		return 0;
	}
	(void)snprintf(err, errlen, "device %d: unknown", (int)want);
	return -1;
}

static int check_input(const struct nbpy_rolling_params *p, const struct nbpy_rolling_input *in,
		       char *err, size_t errlen)
{
	size_t k;

	if (in->n_segments > 0 && in->seg[0] != 0) {
		(void)snprintf(err, errlen, "segment 0 starts at row %zu, not 0", in->seg[0]);
		return -1;
	}
	for (k = 0; k < in->n_segments; k++) {
		if (in->seg[k + 1] < in->seg[k] || in->seg[k + 1] > in->n_rows) {
			(void)snprintf(err, errlen, "segment %zu: rows %zu..%zu outside 0..%zu", k,
				       in->seg[k], in->seg[k + 1], in->n_rows);
			return -1;
		}
	}
	if ((in->n_segments > 0 ? in->seg[in->n_segments] : 0) != in->n_rows) {
		(void)snprintf(err, errlen, "segments cover rows 0..%zu, not the %zu rows",
			       in->n_segments > 0 ? in->seg[in->n_segments] : 0, in->n_rows);
		return -1;
	}
	if (p->window_ns > 0 && !in->t_ns && in->n_rows > 0) {
		(void)snprintf(err, errlen, "a time window needs the times (t_ns)");
		return -1;
	}
	return 0;
}

static void row_out(const struct nbpy_rolling_output *out, size_t i, const struct nbpy_rolling_row *w)
{
	out->count[i] = w->count;
	out->mid_mean[i] = w->mid_mean;
	out->mid_std[i] = w->mid_std;
	out->mid_min[i] = w->mid_min;
	out->mid_max[i] = w->mid_max;
	out->spread_mean[i] = w->spread_mean;
	out->spread_std[i] = w->spread_std;
	out->spread_min[i] = w->spread_min;
	out->spread_max[i] = w->spread_max;
	out->vwap[i] = w->vwap;
}

/* A count window by blocks (gpu/rolling_cpu.c); a time window through one
 * window, emptied at each segment's start. */
static int batch_cpu(const struct nbpy_rolling_params *p, const struct nbpy_rolling_input *in,
		     const struct nbpy_rolling_output *out, char *err, size_t errlen)
{
	struct nbpy_rolling *r;
	struct nbpy_rolling_row w;
	size_t k, i;

	if (in->n_rows == 0)
		return 0;
	if (p->window_ns == 0) {
		if (nbpy_rolling_batch_count(p, in, out) == 0)
			return 0;
		(void)snprintf(err, errlen, "window of %" PRIu32 " ticks: out of memory", p->window);
		return -1;
	}
	r = nbpy_rolling_new(p);
	if (!r) {
		(void)snprintf(err, errlen, "window of %" PRIu32 " ticks: out of memory", p->window);
		return -1;
	}
	for (k = 0; k < in->n_segments; k++) {
		nbpy_rolling_reset(r);
		for (i = in->seg[k]; i < in->seg[k + 1]; i++) {
			if (nbpy_rolling_push(r, in->t_ns ? in->t_ns[i] : 0, in->bid[i], in->ask[i],
					      in->price[i], in->volume[i]) < 0) {
				(void)snprintf(err, errlen, "rows %zu..%zu of segment %zu go back in time",
					       i - 1, i, k);
				nbpy_rolling_free(r);
				return -1;
			}
			nbpy_rolling_get(r, &w);
			row_out(out, i, &w);
		}
	}
	nbpy_rolling_free(r);
	return 0;
}

int nbpy_rolling_batch(enum nbpy_device device, const struct nbpy_rolling_params *p,
		       const struct nbpy_rolling_input *in, const struct nbpy_rolling_output *out,
		       char *err, size_t errlen)
{
	if (nbpy_rolling_params_check(p, err, errlen) < 0 || check_input(p, in, err, errlen) < 0)
		return -1;
	switch (device) {
	case NBPY_DEVICE_CPU:
		return batch_cpu(p, in, out, err, errlen);
	case NBPY_DEVICE_CUDA:
#ifdef WITH_CUDA
		if (p->window_ns > 0) {
			(void)snprintf(err, errlen, "device cuda: a time window is computed on the CPU only");
			return -1;
		}
		return nbpy_rolling_cuda_batch(p, in, out, err, errlen);
#else
		(void)snprintf(err, errlen, "device cuda: built without CUDA");
		return -1;
#endif
	case NBPY_DEVICE_AUTO:
		break;
	}
	(void)snprintf(err, errlen, "device %s: pick cpu or cuda first (nbpy_rolling_device_pick)",
		       nbpy_device_name(device));
	return -1;
}
