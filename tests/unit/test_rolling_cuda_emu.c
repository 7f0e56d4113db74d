/* test_rolling_cuda_emu.c - gpu/rolling_cuda.cu's tiling where there is no
 * GPU: its kernels' very steps run on the host (nbpy_rolling_cuda_emulate:
 * tiles, halos, chunks, backward and forward scans with their carries),
 * compared row by row with the CPU implementation over FX-like ticks, for
 * windows shorter and longer than a tile and chunks that cut segments. */
#include "autoconfig.h"
#include "gpu/rolling.h"
#include "gpu/rolling_cuda_bench.h"
#include "tests/unit/rolling_data.h"

static struct ticks T;

static void setup(void)
{
	/* segments up to 40000 rows; the first ones around the windows */
	ticks_make(&T, 300000, 40000, 14);
	ck_assert_uint_gt(T.n_runs, 3);
}

static void teardown(void)
{
	ticks_free(&T);
}

static void emulate_vs_cpu(uint32_t window, uint32_t min_periods, size_t chunk_rows)
{
	struct nbpy_rolling_params p = { window, 0, min_periods };
	struct nbpy_rolling_output cpu, emu;
	struct diff_stats st;
	char err[256], label[96];
	size_t constant;

	(void)snprintf(label, sizeof(label), "window %u min_periods %u chunk %zu", window,
		       min_periods, chunk_rows);
	out_alloc(&cpu, T.in.n_rows);
	out_alloc(&emu, T.in.n_rows);
	ck_assert_msg(nbpy_rolling_batch(NBPY_DEVICE_CPU, &p, &T.in, &cpu, err, sizeof(err)) == 0,
		      "%s: cpu: %s", label, err);
	ck_assert_msg(nbpy_rolling_cuda_emulate(&p, &T.in, &emu, chunk_rows, err, sizeof(err)) == 0,
		      "%s: emulate: %s", label, err);
	compare(&emu, &cpu, T.in.n_rows, label, &st);
	constant = check_constant(&T, &emu, window, min_periods, label);
	ck_assert_uint_gt(constant, 0);
	printf("%s: max relative difference mean/vwap %.2g, std %.2g (%zu std within the floor); "
	       "%zu constant windows exact\n",
	       label, st.max_mean, st.max_std, st.std_floor, constant);
	out_free(&cpu);
	out_free(&emu);
}

START_TEST(windows)
{
	static const uint32_t W[][2] = { { 1, 0 },    { 2, 0 },	    { 2, 1 },	    { 3, 0 },
					 { 3, 2 },    { 20, 0 },    { 20, 1 },	    { 20, 7 },
					 { 1000, 0 }, { 1000, 1 }, { 1000, 999 }, { 3000, 0 },
					 { 3000, 1 } };

	emulate_vs_cpu(W[_i][0], W[_i][1], 0);
	/* chunks that end inside segments and blocks: halos from the host */
	emulate_vs_cpu(W[_i][0], W[_i][1], 4099);
}
END_TEST

START_TEST(time_window_refused)
{
	check_time_window_refused();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rolling_cuda_emu");
	TCase *tc = tcase_create("emu");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 100);
	tcase_add_loop_test(tc, windows, 0, 13);
	tcase_add_test(tc, time_window_refused);
	suite_add_tcase(s, tc);
	return run_nofork(s);
}
