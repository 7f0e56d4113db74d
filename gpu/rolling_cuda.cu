/* rolling_cuda.cu - the CUDA implementation of gpu/rolling.h's batch for a
 * count window (gpu/rolling_cuda.h), built with nvcc when configure finds it.
 *
 * Same decomposition as the CPU window (gpu/rolling_cpu.c, van Herk /
 * Gil-Werman): each segment is cut into blocks of `window` rows from its
 * first row; row i's window is the SUFFIX of the previous block from row
 * i - window + 1 combined (Chan) with the PREFIX of its own block up to i.
 * Prefixes and suffixes are segmented inclusive scans (CUB BlockScan, head
 * flags at block starts) of per-row aggregates, so nothing is subtracted and
 * nothing drifts; an all-equal window combines with delta exactly 0 and keeps
 * std exactly 0 and mean exactly the value.
 *
 * One kernel per statistic family (mean/std of mid and spread, min/max of
 * both, VWAP), the same template: a thread block computes a tile of TILE
 * output rows with one backward scan (the suffixes its rows need, kept in
 * shared memory) and one forward scan (the prefixes, combined and written).
 * The host side splits the rows into chunks (each with window - 1 rows of
 * halo before it, within its segment), copied in, computed and copied out in
 * NSTREAMS streams so transfers overlap compute; gpu/README.md has the
 * reasoning and the byte counts. */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cub/block/block_scan.cuh>
#include <cuda_runtime.h>

#include "gpu/rolling_cuda.h"
#include "gpu/rolling_cuda_bench.h"

/* what both the kernels and their host emulation run */
#define HD __host__ __device__ __forceinline__

namespace {

constexpr int THREADS = 256;		/* per thread block */
constexpr int ITEMS = 4;		/* rows per thread per scan step */
constexpr size_t TILE = (size_t)THREADS * ITEMS;	/* output rows per thread block */
constexpr int NSTREAMS = 3;		/* copy in / compute / copy out in flight */
constexpr size_t CHUNK_ROWS = (size_t)1 << 22;	/* output rows per chunk */

/* Where a chunk's rows live on the device.  Input row r (global index) is
 * at in[r - in_base]; output row r at out[r - out_base]. */
struct DevIn {
	const double *bid, *ask, *price, *volume;
	size_t in_base;
};

struct DevOut {
	long long *count;
	double *mid_mean, *mid_std, *mid_min, *mid_max;
	double *spread_mean, *spread_std, *spread_min, *spread_max;
	double *vwap;
	size_t out_base;
};

/* ---- the three statistic families: an aggregate, its identity, one row's
 * aggregate, Chan's combine (the CPU's moments_combine), and the output ---- */

HD bool quote_ok(const DevIn &in, size_t r, double *mid, double *spread)
{
	double bid = in.bid[r - in.in_base], ask = in.ask[r - in.in_base];

	if (!isfinite(bid) || !isfinite(ask))
		return false;
	*mid = (bid + ask) / 2;
	*spread = ask - bid;
	return true;
}

HD void chan(double na, double nb, double n, double ma, double qa, double mb, double qb,
	     double *m, double *q)
{
	double delta = mb - ma;

	*m = ma + delta * nb / n;
	*q = qa + qb + delta * delta * na * nb / n;
}

/* mean and std of mid (m1, q1 = sum of squared deviations) and spread (m2, q2) */
struct Moments {
	struct Agg {
		double n, m1, q1, m2, q2;
	};
	static HD Agg none() { return Agg{ 0, 0, 0, 0, 0 }; }
	static HD Agg row(const DevIn &in, size_t r)
	{
		double mid, spread;

		if (!quote_ok(in, r, &mid, &spread))
			return none();
		return Agg{ 1, mid, 0, spread, 0 };
	}
	static HD Agg combine(const Agg &a, const Agg &b)
	{
		Agg c;

		if (a.n == 0)
			return b;
		if (b.n == 0)
			return a;
		c.n = a.n + b.n;
		chan(a.n, b.n, c.n, a.m1, a.q1, b.m1, b.q1, &c.m1, &c.q1);
		chan(a.n, b.n, c.n, a.m2, a.q2, b.m2, b.q2, &c.m2, &c.q2);
		return c;
	}
	static HD double std_of(double n, double q)
	{
		return n >= 2 ? sqrt((q > 0 ? q : 0) / (n - 1)) : (double)NAN;
	}
	static HD void store(const DevOut &o, size_t r, const Agg &a, double min_periods)
	{
		size_t i = r - o.out_base;
		bool ok = a.n >= min_periods;

		o.count[i] = (long long)a.n;
		o.mid_mean[i] = ok ? a.m1 : (double)NAN;
		o.mid_std[i] = ok ? std_of(a.n, a.q1) : (double)NAN;
		o.spread_mean[i] = ok ? a.m2 : (double)NAN;
		o.spread_std[i] = ok ? std_of(a.n, a.q2) : (double)NAN;
	}
};

/* min and max of mid and spread (n for min_periods) */
struct Extremes {
	struct Agg {
		double n, min1, max1, min2, max2;
	};
	static HD Agg none()
	{
		return Agg{ 0, (double)INFINITY, -(double)INFINITY, (double)INFINITY, -(double)INFINITY };
	}
	static HD Agg row(const DevIn &in, size_t r)
	{
		double mid, spread;

		if (!quote_ok(in, r, &mid, &spread))
			return none();
		return Agg{ 1, mid, mid, spread, spread };
	}
	static HD Agg combine(const Agg &a, const Agg &b)
	{
		return Agg{ a.n + b.n, a.min1 < b.min1 ? a.min1 : b.min1,
			    a.max1 > b.max1 ? a.max1 : b.max1, a.min2 < b.min2 ? a.min2 : b.min2,
			    a.max2 > b.max2 ? a.max2 : b.max2 };
	}
	static HD void store(const DevOut &o, size_t r, const Agg &a, double min_periods)
	{
		size_t i = r - o.out_base;
		bool ok = a.n >= min_periods;

		o.mid_min[i] = ok ? a.min1 : (double)NAN;
		o.mid_max[i] = ok ? a.max1 : (double)NAN;
		o.spread_min[i] = ok ? a.min2 : (double)NAN;
		o.spread_max[i] = ok ? a.max2 : (double)NAN;
	}
};

/* VWAP: sums over the rows with finite price and volume */
struct Vwap {
	struct Agg {
		double n, pv, v;
	};
	static HD Agg none() { return Agg{ 0, 0, 0 }; }
	static HD Agg row(const DevIn &in, size_t r)
	{
		double p = in.price[r - in.in_base], v = in.volume[r - in.in_base];

		if (!isfinite(p) || !isfinite(v))
			return none();
		return Agg{ 1, p * v, v };
	}
	static HD Agg combine(const Agg &a, const Agg &b)
	{
		if (a.n == 0)
			return b;
		if (b.n == 0)
			return a;
		return Agg{ a.n + b.n, a.pv + b.pv, a.v + b.v };
	}
	static HD void store(const DevOut &o, size_t r, const Agg &a, double min_periods)
	{
		o.vwap[r - o.out_base] = a.n >= min_periods && a.v != 0 ? a.pv / a.v : (double)NAN;
	}
};

/* A scan element: an aggregate and whether a block starts at it (in the
 * scan's direction).  The segmented operator restarts at a flagged element;
 * it is associative, so CUB may group the elements as it likes. */
template <class F> struct Item {
	typename F::Agg a;
	int flag;
};

template <class F> struct SegOp {
	HD Item<F> operator()(const Item<F> &x, const Item<F> &y) const
	{
		Item<F> r;

		r.flag = x.flag | y.flag;
		r.a = y.flag ? y.a : F::combine(x.a, y.a);
		return r;
	}
};

/* The segment holding row r: k with seg[k] <= r < seg[k + 1] (empty
 * segments skipped), seg[n_seg] = n_rows > r. */
HD size_t seg_of(const size_t *seg, size_t n_seg, size_t r)
{
	size_t lo = 0, hi = n_seg;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (seg[mid] <= r)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

struct Geometry {
	const size_t *seg;	/* device copy of the input's segment offsets */
	size_t n_seg;
	size_t window;
	double min_periods;
	size_t out_lo, out_hi;	/* the chunk's output rows (global) */
};

/* One thread block's work: output rows [t0, t1) of the chunk's
 * [g.out_lo, g.out_hi).  The kernel runs it on the GPU; tile_emulate runs
 * the very same steps on the host, one thread after the other, so that the
 * tiling is tested where there is no GPU (tests/unit/test_rolling_cuda_emu.c).
 *
 * Backward: the suffixes of rows [lo, t1), scanned from t1 - 1 down in
 * steps of TILE rows, the carry taken from step to step; a block cut by t1
 * gets partial suffixes, which no row of the tile reads.  Row i of the tile
 * reads the suffix at i - w + 1 when that row is in the previous block of
 * i's segment; lo covers every such row, and they are kept in suffix[i - t0].
 * Forward: the prefixes from the start of t0's block to t1 - 1, each output
 * row combined with its suffix and written. */
template <class F> struct Tile {
	DevIn in;
	DevOut out;
	Geometry g;
	size_t t0, t1;	/* output rows */
	size_t lo;	/* first row of the backward scan */
	size_t a;	/* first row of the forward scan: t0's block's start */

	__host__ __device__ Tile(const DevIn &in_, const DevOut &out_, const Geometry &g_, size_t tile)
		: in(in_), out(out_), g(g_)
	{
		const size_t w = g.window;
		size_t s0;

		t0 = g.out_lo + tile * TILE;
		t1 = t0 + TILE < g.out_hi ? t0 + TILE : g.out_hi;
		s0 = t0 < g.out_hi ? g.seg[seg_of(g.seg, g.n_seg, t0)] : 0;
		lo = t0 + 1 > w ? t0 + 1 - w : 0;
		if (lo < s0)
			lo = s0;
		a = s0 + (t0 - s0) / w * w;
	}
	__host__ __device__ bool empty() const { return t0 >= g.out_hi; }
	/* nothing to do backward for w = 1: every window is one row */
	__host__ __device__ bool backward() const { return g.window > 1 && t1 > lo; }

	/* backward step [cs, ce): element u is row ce - 1 - u; thread t holds
	 * elements t * ITEMS ... */
	__host__ __device__ size_t bwd_start(size_t ce) const { return ce - lo > TILE ? ce - TILE : lo; }
	__host__ __device__ void bwd_load(size_t cs, size_t ce, unsigned t, Item<F> it[ITEMS]) const
	{
		const size_t u0 = (size_t)t * ITEMS, w = g.window;
		size_t k = u0 < ce - cs ? seg_of(g.seg, g.n_seg, ce - 1 - u0) : 0;

		for (int q = 0; q < ITEMS; q++) {
			const size_t u = u0 + q;

			it[q].a = F::none();
			it[q].flag = 0;
			if (u < ce - cs) {
				const size_t r = ce - 1 - u;

				while (g.seg[k] > r)
					k--;
				it[q].a = F::row(in, r);
				/* the last row of a block (a segment's last block, when
				 * cut short, has no next block to read its suffixes) */
				it[q].flag = (r - g.seg[k]) % w == w - 1;
			}
		}
	}
	__host__ __device__ void bwd_use(size_t cs, size_t ce, unsigned t, const Item<F> it[ITEMS],
					 const Item<F> &carry, typename F::Agg *suffix) const
	{
		const size_t u0 = (size_t)t * ITEMS, w = g.window;
		const SegOp<F> op;

		for (int q = 0; q < ITEMS; q++) {
			const size_t u = u0 + q;

			if (u < ce - cs) {
				const size_t r = ce - 1 - u;	/* r >= lo >= t0 + 1 - w */

				if (r + w - 1 >= t0 && r + w - 1 < t1)
					suffix[r + w - 1 - t0] = op(carry, it[q]).a;
			}
		}
	}

	/* forward step [cs, ce): thread t holds rows cs + t * ITEMS ... */
	__host__ __device__ size_t fwd_end(size_t cs) const { return t1 - cs > TILE ? cs + TILE : t1; }
	__host__ __device__ void fwd_load(size_t cs, size_t ce, unsigned t, Item<F> it[ITEMS],
					  size_t off[ITEMS]) const
	{
		const size_t r0 = cs + (size_t)t * ITEMS;
		size_t k = r0 < ce ? seg_of(g.seg, g.n_seg, r0) : 0;

		for (int q = 0; q < ITEMS; q++) {
			const size_t r = r0 + q;

			off[q] = 0;	/* row - its segment's start */
			it[q].a = F::none();
			it[q].flag = 0;
			if (r < ce) {
				while (g.seg[k + 1] <= r)
					k++;
				off[q] = r - g.seg[k];
				it[q].a = F::row(in, r);
				it[q].flag = off[q] % g.window == 0;
			}
		}
	}
	__host__ __device__ void fwd_use(size_t cs, size_t ce, unsigned t, const Item<F> it[ITEMS],
					 const size_t off[ITEMS], const Item<F> &carry,
					 const typename F::Agg *suffix) const
	{
		const size_t r0 = cs + (size_t)t * ITEMS, w = g.window;
		const SegOp<F> op;

		for (int q = 0; q < ITEMS; q++) {
			const size_t r = r0 + q;

			if (r < ce && r >= t0) {
				typename F::Agg win = op(carry, it[q]).a;

				/* not in its segment's first block, not a block's last row */
				if (off[q] >= w && off[q] % w != w - 1)
					win = F::combine(suffix[r - t0], win);
				F::store(out, r, win, g.min_periods);
			}
		}
	}
};

template <class F>
__global__ void __launch_bounds__(THREADS, 2) rolling_kernel(DevIn in, DevOut out, Geometry g)
{
	typedef cub::BlockScan<Item<F>, THREADS, cub::BLOCK_SCAN_WARP_SCANS> Scan;
	__shared__ typename Scan::TempStorage temp;
	__shared__ typename F::Agg suffix[TILE];	/* by output row - t0 */
	const Tile<F> tile(in, out, g, blockIdx.x);
	const SegOp<F> op;
	const unsigned t = threadIdx.x;
	Item<F> it[ITEMS], carry, total;
	size_t off[ITEMS];

	if (tile.empty())
		return;
	if (tile.backward()) {
		carry.a = F::none();
		carry.flag = 0;
		for (size_t ce = tile.t1; ce > tile.lo;) {
			const size_t cs = tile.bwd_start(ce);

			tile.bwd_load(cs, ce, t, it);
			Scan(temp).InclusiveScan(it, it, op, total);
			__syncthreads();	/* temp is used again */
			tile.bwd_use(cs, ce, t, it, carry, suffix);
			carry = op(carry, total);
			ce = cs;
		}
		__syncthreads();	/* suffix[] complete */
	}
	carry.a = F::none();
	carry.flag = 0;
	for (size_t cs = tile.a; cs < tile.t1;) {
		const size_t ce = tile.fwd_end(cs);

		tile.fwd_load(cs, ce, t, it, off);
		Scan(temp).InclusiveScan(it, it, op, total);
		__syncthreads();
		tile.fwd_use(cs, ce, t, it, off, carry, suffix);
		carry = op(carry, total);
		cs = ce;
	}
}

/* The kernel's steps on the host: threads one after the other, the block
 * scan a plain inclusive scan over their items in the same order.  Static
 * buffers: for the tests, one thread. */
template <class F>
void tile_emulate(const DevIn &in, const DevOut &out, const Geometry &g, size_t b)
{
	static Item<F> it[THREADS][ITEMS];
	static size_t off[THREADS][ITEMS];
	static typename F::Agg suffix[TILE];
	const Tile<F> tile(in, out, g, b);
	const SegOp<F> op;
	Item<F> carry, total;

	if (tile.empty())
		return;
	/* the block scan: inclusive, in place, total = the last element */
	auto scan = [&]() {
		for (unsigned t = 0; t < THREADS; t++)
			for (int q = 0; q < ITEMS; q++)
				if (t > 0 || q > 0)
					it[t][q] = op(q > 0 ? it[t][q - 1] : it[t - 1][ITEMS - 1], it[t][q]);
		total = it[THREADS - 1][ITEMS - 1];
	};
	if (tile.backward()) {
		carry.a = F::none();
		carry.flag = 0;
		for (size_t ce = tile.t1; ce > tile.lo;) {
			const size_t cs = tile.bwd_start(ce);

			for (unsigned t = 0; t < THREADS; t++)
				tile.bwd_load(cs, ce, t, it[t]);
			scan();
			for (unsigned t = 0; t < THREADS; t++)
				tile.bwd_use(cs, ce, t, it[t], carry, suffix);
			carry = op(carry, total);
			ce = cs;
		}
	}
	carry.a = F::none();
	carry.flag = 0;
	for (size_t cs = tile.a; cs < tile.t1;) {
		const size_t ce = tile.fwd_end(cs);

		for (unsigned t = 0; t < THREADS; t++)
			tile.fwd_load(cs, ce, t, it[t], off[t]);
		scan();
		for (unsigned t = 0; t < THREADS; t++)
			tile.fwd_use(cs, ce, t, it[t], off[t], carry, suffix);
		carry = op(carry, total);
		cs = ce;
	}
}

/* ---- host side ---- */

/* Formats "what: CUDA error string" into err; returns -1. */
int cuda_fail(char *err, size_t errlen, const char *what, cudaError_t e)
{
	(void)snprintf(err, errlen, "cuda: %s: %s", what, cudaGetErrorString(e));
	return -1;
}

#define CU(call)                                                                                   \
	do {                                                                                       \
		cudaError_t e_ = (call);                                                           \
		if (e_ != cudaSuccess) {                                                           \
			rc = cuda_fail(err, errlen, #call, e_);                                    \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* Device buffers of one stream: a chunk's input (with halo) and output. */
struct StreamBufs {
	cudaStream_t stream;
	double *in[4];		/* bid, ask, price, volume */
	long long *count;
	double *outd[9];	/* the nine double columns, in nbpy_rolling_output's order */
};

/* First input row that output rows from c0 need: window - 1 rows back,
 * not before c0's segment. */
size_t halo_start(const struct nbpy_rolling_input *in, size_t window, size_t c0)
{
	size_t s = in->seg[seg_of(in->seg, in->n_segments, c0)];
	size_t h = c0 + 1 > window ? c0 + 1 - window : 0;

	return h > s ? h : s;
}

void out_doubles(const struct nbpy_rolling_output *o, double *cols[9])
{
	cols[0] = o->mid_mean;
	cols[1] = o->mid_std;
	cols[2] = o->mid_min;
	cols[3] = o->mid_max;
	cols[4] = o->spread_mean;
	cols[5] = o->spread_std;
	cols[6] = o->spread_min;
	cols[7] = o->spread_max;
	cols[8] = o->vwap;
}

DevOut dev_out(const StreamBufs &b, size_t out_base)
{
	DevOut o;

	o.count = b.count;
	o.mid_mean = b.outd[0];
	o.mid_std = b.outd[1];
	o.mid_min = b.outd[2];
	o.mid_max = b.outd[3];
	o.spread_mean = b.outd[4];
	o.spread_std = b.outd[5];
	o.spread_min = b.outd[6];
	o.spread_max = b.outd[7];
	o.vwap = b.outd[8];
	o.out_base = out_base;
	return o;
}

/* The three family kernels over output rows [c0, c1), input from in_base. */
cudaError_t launch_families(const StreamBufs &b, const size_t *d_seg, size_t n_seg, size_t window,
			    double min_periods, size_t in_base, size_t c0, size_t c1)
{
	DevIn din = { b.in[0], b.in[1], b.in[2], b.in[3], in_base };
	DevOut dout = dev_out(b, c0);
	Geometry g = { d_seg, n_seg, window, min_periods, c0, c1 };
	unsigned blocks = (unsigned)((c1 - c0 + TILE - 1) / TILE);
	cudaError_t e;

	rolling_kernel<Moments><<<blocks, THREADS, 0, b.stream>>>(din, dout, g);
	if ((e = cudaGetLastError()) != cudaSuccess)
		return e;
	rolling_kernel<Extremes><<<blocks, THREADS, 0, b.stream>>>(din, dout, g);
	if ((e = cudaGetLastError()) != cudaSuccess)
		return e;
	rolling_kernel<Vwap><<<blocks, THREADS, 0, b.stream>>>(din, dout, g);
	return cudaGetLastError();
}

/* Host memory the copies use: page-locked when it already is or can be
 * made so (registered here, unregistered at the end), else pageable
 * (slower copies, same results). */
struct Pinned {
	void *ptr[14];
	int n;
};

void pin(Pinned *pins, const void *p, size_t bytes)
{
	cudaPointerAttributes at;

	if (!p || bytes == 0)
		return;
	if (cudaPointerGetAttributes(&at, p) == cudaSuccess && at.type == cudaMemoryTypeHost)
		return;	/* already page-locked (cudaHostAlloc, cudaHostRegister) */
	(void)cudaGetLastError();
	if (cudaHostRegister(const_cast<void *>(p), bytes, cudaHostRegisterDefault) == cudaSuccess)
		pins->ptr[pins->n++] = const_cast<void *>(p);
	else
		(void)cudaGetLastError();	/* e.g. read-only pages: copy pageable */
}

void unpin(Pinned *pins)
{
	while (pins->n > 0)
		(void)cudaHostUnregister(pins->ptr[--pins->n]);
}

/* The device-side half shared by the batch and the resident benchmark. */
struct Device {
	StreamBufs s[NSTREAMS];
	size_t *d_seg;
	size_t in_cap, out_cap;	/* rows per stream buffer */
};

void device_free(Device *d)
{
	for (int i = 0; i < NSTREAMS; i++) {
		StreamBufs &b = d->s[i];

		if (b.stream)
			(void)cudaStreamSynchronize(b.stream);
		for (int c = 0; c < 4; c++)
			(void)cudaFree(b.in[c]);
		(void)cudaFree(b.count);
		for (int c = 0; c < 9; c++)
			(void)cudaFree(b.outd[c]);
		if (b.stream)
			(void)cudaStreamDestroy(b.stream);
	}
	(void)cudaFree(d->d_seg);
	memset(d, 0, sizeof(*d));
}

int device_alloc(Device *d, const struct nbpy_rolling_input *in, size_t in_cap, size_t out_cap,
		 int nstreams, char *err, size_t errlen)
{
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->in_cap = in_cap;
	d->out_cap = out_cap;
	CU(cudaMalloc(&d->d_seg, (in->n_segments + 1) * sizeof(size_t)));
	CU(cudaMemcpy(d->d_seg, in->seg, (in->n_segments + 1) * sizeof(size_t),
		      cudaMemcpyHostToDevice));
	for (int i = 0; i < nstreams; i++) {
		StreamBufs &b = d->s[i];

		CU(cudaStreamCreateWithFlags(&b.stream, cudaStreamNonBlocking));
		for (int c = 0; c < 4; c++)
			CU(cudaMalloc(&b.in[c], in_cap * sizeof(double)));
		CU(cudaMalloc(&b.count, out_cap * sizeof(long long)));
		for (int c = 0; c < 9; c++)
			CU(cudaMalloc(&b.outd[c], out_cap * sizeof(double)));
	}
out:
	if (rc < 0)
		device_free(d);
	return rc;
}

double min_periods_of(const struct nbpy_rolling_params *p)
{
	return p->min_periods ? (double)p->min_periods : (double)p->window;
}

int check_args(const struct nbpy_rolling_params *p, const struct nbpy_rolling_input *in, char *err,
	       size_t errlen)
{
	if (p->window_ns != 0) {
		(void)snprintf(err, errlen, "cuda: a time window is computed on the CPU only");
		return -1;
	}
	if (p->window < 1 || in->n_segments < 1 || in->seg[in->n_segments] != in->n_rows) {
		(void)snprintf(err, errlen, "cuda: window %u, %zu segments over %zu rows: bad input",
			       (unsigned)p->window, in->n_segments, in->n_rows);
		return -1;
	}
	return 0;
}

} /* namespace */

extern "C" bool nbpy_rolling_cuda_usable(char *why, size_t whylen)
{
	cudaFuncAttributes fa;
	cudaError_t e;
	int n = 0;

	e = cudaGetDeviceCount(&n);
	if (e == cudaSuccess && n < 1)
		e = cudaErrorNoDevice;
	/* the kernels' code loads on this device (sm_90, or PTX it can JIT) */
	if (e == cudaSuccess)
		e = cudaFuncGetAttributes(&fa, rolling_kernel<Moments>);
	if (e != cudaSuccess) {
		(void)cudaGetLastError();
		(void)snprintf(why, whylen, "%s", cudaGetErrorString(e));
		return false;
	}
	return true;
}

extern "C" int nbpy_rolling_cuda_batch(const struct nbpy_rolling_params *p,
				       const struct nbpy_rolling_input *in,
				       const struct nbpy_rolling_output *out, char *err, size_t errlen)
{
	const size_t n = in->n_rows, w = p->window;
	const double min_periods = min_periods_of(p);
	const double *src[4] = { in->bid, in->ask, in->price, in->volume };
	double *dst[9];
	Device d;
	Pinned pins;
	size_t chunk, c0;
	int rc = 0, i = 0;

	if (n == 0)
		return 0;
	if (check_args(p, in, err, errlen) < 0)
		return -1;
	out_doubles(out, dst);
	pins.n = 0;
	chunk = n < CHUNK_ROWS ? n : CHUNK_ROWS;
	/* a chunk's input: its rows and up to w - 1 before them */
	if (device_alloc(&d, in, chunk + w - 1 < n ? chunk + w - 1 : n, chunk, NSTREAMS, err,
			 errlen) < 0)
		return -1;
	for (int c = 0; c < 4; c++)
		pin(&pins, src[c], n * sizeof(double));
	pin(&pins, out->count, n * sizeof(int64_t));
	for (int c = 0; c < 9; c++)
		pin(&pins, dst[c], n * sizeof(double));

	/* chunk k on stream k % NSTREAMS: a stream's buffers are reused only
	 * after its previous chunk's copies back, which the stream orders */
	for (c0 = 0; c0 < n; c0 += chunk, i++) {
		const StreamBufs &b = d.s[i % NSTREAMS];
		const size_t c1 = n - c0 > chunk ? c0 + chunk : n;
		const size_t h0 = halo_start(in, w, c0);

		for (int c = 0; c < 4; c++)
			CU(cudaMemcpyAsync(b.in[c], src[c] + h0, (c1 - h0) * sizeof(double),
					   cudaMemcpyHostToDevice, b.stream));
		CU(launch_families(b, d.d_seg, in->n_segments, w, min_periods, h0, c0, c1));
		CU(cudaMemcpyAsync(out->count + c0, b.count, (c1 - c0) * sizeof(long long),
				   cudaMemcpyDeviceToHost, b.stream));
		for (int c = 0; c < 9; c++)
			CU(cudaMemcpyAsync(dst[c] + c0, b.outd[c], (c1 - c0) * sizeof(double),
					   cudaMemcpyDeviceToHost, b.stream));
	}
	for (int s = 0; s < NSTREAMS; s++)
		if (d.s[s].stream)
			CU(cudaStreamSynchronize(d.s[s].stream));
out:
	device_free(&d);
	unpin(&pins);
	return rc;
}

/* ---- for the tests and bench/gpu_rolling.c (gpu/rolling_cuda_bench.h) ---- */

extern "C" int nbpy_rolling_cuda_emulate(const struct nbpy_rolling_params *p,
					 const struct nbpy_rolling_input *in,
					 const struct nbpy_rolling_output *out, size_t chunk_rows,
					 char *err, size_t errlen)
{
	const size_t n = in->n_rows, w = p->window;
	const double *src[4] = { in->bid, in->ask, in->price, in->volume };
	double *dst[9], *buf[4] = { NULL, NULL, NULL, NULL };
	int rc = 0;

	if (n == 0)
		return 0;
	if (check_args(p, in, err, errlen) < 0)
		return -1;
	if (chunk_rows < 1)
		chunk_rows = CHUNK_ROWS;
	out_doubles(out, dst);
	/* the batch's chunks, each from its halo's first row, copied as the
	 * batch copies them to the device: a row outside is not there */
	for (size_t c0 = 0; c0 < n && rc == 0; c0 += chunk_rows) {
		const size_t c1 = n - c0 > chunk_rows ? c0 + chunk_rows : n;
		const size_t h0 = halo_start(in, w, c0);

		for (int c = 0; c < 4; c++) {
			free(buf[c]);
			buf[c] = (double *)malloc((c1 - h0) * sizeof(double));
			if (!buf[c]) {
				(void)snprintf(err, errlen, "emulate: out of memory");
				rc = -1;
				break;
			}
			memcpy(buf[c], src[c] + h0, (c1 - h0) * sizeof(double));
		}
		if (rc < 0)
			break;
		const DevIn din = { buf[0], buf[1], buf[2], buf[3], h0 };
		const DevOut dout = { (long long *)out->count + c0, dst[0] + c0, dst[1] + c0,
				      dst[2] + c0, dst[3] + c0, dst[4] + c0, dst[5] + c0,
				      dst[6] + c0, dst[7] + c0, dst[8] + c0, c0 };
		const Geometry g = { in->seg, in->n_segments, w, min_periods_of(p), c0, c1 };

		for (size_t b = 0; b < (c1 - c0 + TILE - 1) / TILE; b++) {
			tile_emulate<Moments>(din, dout, g, b);
			tile_emulate<Extremes>(din, dout, g, b);
			tile_emulate<Vwap>(din, dout, g, b);
		}
	}
	for (int c = 0; c < 4; c++)
		free(buf[c]);
	return rc;
}

extern "C" void *nbpy_rolling_cuda_host_alloc(size_t bytes)
{
	void *p = NULL;

	if (cudaMallocHost(&p, bytes) != cudaSuccess) {
		(void)cudaGetLastError();
		return NULL;
	}
	return p;
}

extern "C" void nbpy_rolling_cuda_host_free(void *p)
{
	if (p)
		(void)cudaFreeHost(p);
}

extern "C" int nbpy_rolling_cuda_resident(const struct nbpy_rolling_params *p,
					  const struct nbpy_rolling_input *in, int reps,
					  double *best_s, char *err, size_t errlen)
{
	const size_t n = in->n_rows;
	const double *src[4] = { in->bid, in->ask, in->price, in->volume };
	cudaEvent_t ev0 = NULL, ev1 = NULL;
	Device d;
	float ms;
	int rc = 0;

	if (check_args(p, in, err, errlen) < 0 || n == 0 || reps < 1) {
		if (n == 0 || reps < 1)
			(void)snprintf(err, errlen, "cuda: nothing to measure");
		return -1;
	}
	if (device_alloc(&d, in, n, n, 1, err, errlen) < 0)
		return -1;
	*best_s = INFINITY;
	CU(cudaEventCreate(&ev0));
	CU(cudaEventCreate(&ev1));
	for (int c = 0; c < 4; c++)
		CU(cudaMemcpy(d.s[0].in[c], src[c], n * sizeof(double), cudaMemcpyHostToDevice));
	for (int r = 0; r < reps; r++) {
		CU(cudaEventRecord(ev0, d.s[0].stream));
		CU(launch_families(d.s[0], d.d_seg, in->n_segments, p->window, min_periods_of(p), 0,
				   0, n));
		CU(cudaEventRecord(ev1, d.s[0].stream));
		CU(cudaEventSynchronize(ev1));
		CU(cudaEventElapsedTime(&ms, ev0, ev1));
		if (ms / 1e3 < *best_s)
			*best_s = ms / 1e3;
	}
out:
	if (ev0)
		(void)cudaEventDestroy(ev0);
	if (ev1)
		(void)cudaEventDestroy(ev1);
	device_free(&d);
	return rc;
}

/* Best of 5 of a cudaMemcpy, timed with events; bytes per second. */
static cudaError_t copy_rate(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind,
			     double moved, double *best)
{
	cudaEvent_t ev0 = NULL, ev1 = NULL;
	cudaError_t e;
	float ms = 0;

	if ((e = cudaEventCreate(&ev0)) != cudaSuccess || (e = cudaEventCreate(&ev1)) != cudaSuccess)
		goto out;
	for (int r = 0; r < 5; r++) {
		if ((e = cudaEventRecord(ev0)) != cudaSuccess ||
		    (e = cudaMemcpy(dst, src, bytes, kind)) != cudaSuccess ||
		    (e = cudaEventRecord(ev1)) != cudaSuccess ||
		    (e = cudaEventSynchronize(ev1)) != cudaSuccess ||
		    (e = cudaEventElapsedTime(&ms, ev0, ev1)) != cudaSuccess)
			goto out;
		if (ms > 0 && moved / (ms / 1e3) > *best)
			*best = moved / (ms / 1e3);
	}
out:
	if (ev0)
		(void)cudaEventDestroy(ev0);
	if (ev1)
		(void)cudaEventDestroy(ev1);
	return e;
}

extern "C" int nbpy_rolling_cuda_bandwidth(size_t bytes, double *d2d_bps, double *h2d_bps,
					   double *d2h_bps, char *err, size_t errlen)
{
	void *h = NULL, *d0 = NULL, *d1 = NULL;
	int rc = 0;

	*d2d_bps = *h2d_bps = *d2h_bps = 0;
	CU(cudaMallocHost(&h, bytes));
	memset(h, 1, bytes);
	CU(cudaMalloc(&d0, bytes));
	CU(cudaMalloc(&d1, bytes));
	CU(cudaMemset(d0, 1, bytes));
	/* device to device reads and writes `bytes` each */
	CU(copy_rate(d1, d0, bytes, cudaMemcpyDeviceToDevice, 2.0 * bytes, d2d_bps));
	CU(copy_rate(d0, h, bytes, cudaMemcpyHostToDevice, (double)bytes, h2d_bps));
	CU(copy_rate(h, d1, bytes, cudaMemcpyDeviceToHost, (double)bytes, d2h_bps));
out:
	(void)cudaFree(d0);
	(void)cudaFree(d1);
	(void)cudaFreeHost(h);
	return rc;
}
