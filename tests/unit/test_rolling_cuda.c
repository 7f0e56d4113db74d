/* test_rolling_cuda.c - the CUDA implementation against the CPU one, every
 * output row of 2.2M FX-like ticks (segments shorter and longer than the
 * windows, NaNs, zero volumes, constant stretches) for windows 1 to 1000
 * and several min_periods: count, min and max exact, mean and VWAP within
 * 1e-12 relative, std within 1e-9 (gpu/rolling.h), constant windows exact.
 * Without a usable GPU it says "skipped: no GPU (why)" and exits 77, which
 * Automake counts as skipped, never passed. */
#include "autoconfig.h"
#include "gpu/rolling.h"
#include "tests/unit/rolling_data.h"

static struct ticks T;

static void setup(void)
{
	ticks_make(&T, 2200000, 300000, 1405);
	ck_assert_uint_gt(T.n_runs, 20);
}

static void teardown(void)
{
	ticks_free(&T);
}

START_TEST(cuda_vs_cpu)
{
	static const uint32_t W[][2] = { { 1, 0 },   { 2, 0 },	 { 2, 1 },    { 3, 0 },
					 { 3, 2 },   { 20, 0 },	 { 20, 1 },   { 20, 7 },
					 { 1000, 0 }, { 1000, 1 }, { 1000, 999 } };
	struct nbpy_rolling_params p = { W[_i][0], 0, W[_i][1] };
	struct nbpy_rolling_output cpu, gpu;
	enum nbpy_device dev = NBPY_DEVICE_CPU;
	struct diff_stats st;
	char err[256], label[64];
	size_t constant;

	(void)snprintf(label, sizeof(label), "window %u min_periods %u", p.window, p.min_periods);
	ck_assert_msg(nbpy_rolling_device_pick(NBPY_DEVICE_CUDA, T.in.n_rows, &p, &dev, err,
					       sizeof(err)) == 0,
		      "%s: pick: %s", label, err);
	ck_assert_int_eq(dev, NBPY_DEVICE_CUDA);
	out_alloc(&cpu, T.in.n_rows);
	out_alloc(&gpu, T.in.n_rows);
	ck_assert_msg(nbpy_rolling_batch(NBPY_DEVICE_CPU, &p, &T.in, &cpu, err, sizeof(err)) == 0,
		      "%s: cpu: %s", label, err);
	ck_assert_msg(nbpy_rolling_batch(NBPY_DEVICE_CUDA, &p, &T.in, &gpu, err, sizeof(err)) == 0,
		      "%s: cuda: %s", label, err);
	compare(&gpu, &cpu, T.in.n_rows, label, &st);
	constant = check_constant(&T, &gpu, p.window, p.min_periods, label);
	ck_assert_uint_gt(constant, 0);
	printf("%s: max relative difference mean/vwap %.2g, std %.2g (%zu std within the floor); "
	       "%zu constant windows exact\n",
	       label, st.max_mean, st.max_std, st.std_floor, constant);
	out_free(&cpu);
	out_free(&gpu);
}
END_TEST

/* auto picks the GPU for a large count-window batch, the CPU for a small one */
START_TEST(auto_pick)
{
	struct nbpy_rolling_params p = { 20, 0, 0 };
	enum nbpy_device dev = NBPY_DEVICE_CPU;
	char err[256];

	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_AUTO, NBPY_ROLLING_CUDA_MIN_ROWS, &p,
						  &dev, err, sizeof(err)),
			 0);
	ck_assert_int_eq(dev, NBPY_DEVICE_CUDA);
	ck_assert_int_eq(nbpy_rolling_device_pick(NBPY_DEVICE_AUTO, 1000, &p, &dev, err, sizeof(err)),
			 0);
	ck_assert_int_eq(dev, NBPY_DEVICE_CPU);
}
END_TEST

START_TEST(time_window_refused)
{
	struct nbpy_rolling_params p = { 100, 1000000000, 0 };
	struct nbpy_rolling_output out;
	char err[256] = "";

	check_time_window_refused();
	out_alloc(&out, T.in.n_rows);
	ck_assert_int_eq(nbpy_rolling_batch(NBPY_DEVICE_CUDA, &p, &T.in, &out, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "time window") != NULL, "reason: %s", err);
	out_free(&out);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;
	char why[256];

	if (!nbpy_cuda_usable(why, sizeof(why))) {
		printf("skipped: no GPU (%s)\n", why);
		return 77;
	}
	s = suite_create("rolling_cuda");
	tc = tcase_create("cuda");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 100);
	tcase_add_loop_test(tc, cuda_vs_cpu, 0, 11);
	tcase_add_test(tc, auto_pick);
	tcase_add_test(tc, time_window_refused);
	suite_add_tcase(s, tc);
	return run_nofork(s);
}
