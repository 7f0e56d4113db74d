/* test_restart_policy.c - the restart decisions of nbpyd, without processes. */
#include <signal.h>

#include "supervisor/restart_policy.h"
#include "tests/unit/testutil.h"

#define SEC 1000000000LL

static struct restart_policy policy(enum restart_mode mode)
{
	struct restart_policy p = { .mode = mode, .prevent = { 78 }, .n_prevent = 1,
				    .success = { 0 }, .n_success = 1, .stable_after_ns = 60 * SEC,
				    .crash_loop_count = 5, .crash_loop_window_ns = 60 * SEC };
	return p;
}

static const struct exit_status code1 = { .code = 1 };

START_TEST(backoff_grows_then_resets_after_stable_running)
{
	struct restart_policy p = policy(RESTART_ALWAYS);
	struct restart_state s;
	int64_t t = 1000 * SEC;

	p.crash_loop_count = 100;
	restart_state_init(&s, 1 * SEC, 60 * SEC, 3);
	for (int i = 0; i < 4; i++) {
		struct restart_decision d = restart_decide(&p, &s, &code1, t, 0);

		ck_assert_int_eq(d.action, ACTION_RESTART);
		ck_assert_int_ge(d.delay_ns, (SEC << i) / 2);
		ck_assert_int_le(d.delay_ns, SEC << i);
		ck_assert_str_eq(d.reason, "exited 1");
		t += 100 * SEC;
	}
	/* ran 61 s: the next delay starts from the minimum again */
	{
		struct restart_decision d = restart_decide(&p, &s, &code1, t, 61 * SEC);

		ck_assert_int_le(d.delay_ns, 1 * SEC);
	}
}
END_TEST

START_TEST(crash_loop_goes_fatal_and_clear_recovers)
{
	struct restart_policy p = policy(RESTART_ALWAYS);
	struct restart_state s;
	struct restart_decision d;
	struct exit_status segv = { .signaled = true, .signal = SIGSEGV, .core = true };

	restart_state_init(&s, 1 * SEC, 60 * SEC, 3);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(restart_decide(&p, &s, &segv, (10 + i) * SEC, 0).action, ACTION_RESTART);
	d = restart_decide(&p, &s, &segv, 14 * SEC, 0);
	ck_assert_int_eq(d.action, ACTION_FATAL);
	ck_assert_str_eq(d.reason, "crash loop: 5 exits within 60s, last killed by SIGSEGV (core dumped)");
	restart_state_clear(&s);
	ck_assert_int_eq(restart_decide(&p, &s, &segv, 15 * SEC, 0).action, ACTION_RESTART);
	/* five exits spread over more than the window are no loop */
	restart_state_clear(&s);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(restart_decide(&p, &s, &segv, (100 + 20 * i) * SEC, 0).action, ACTION_RESTART);
}
END_TEST

START_TEST(exit_codes_and_modes)
{
	struct restart_policy always = policy(RESTART_ALWAYS), onfail = policy(RESTART_ON_FAILURE),
			      never = policy(RESTART_NEVER);
	struct restart_state s;
	struct exit_status ok = { .code = 0 }, cfg = { .code = 78 }, term = { .signaled = true, .signal = SIGTERM },
			   noexec = { .exec_failed = true, .code = 2 };
	struct restart_decision d;

	restart_state_init(&s, 1 * SEC, 60 * SEC, 3);
	d = restart_decide(&always, &s, &cfg, SEC, 0);
	ck_assert_int_eq(d.action, ACTION_FATAL);
	ck_assert_str_eq(d.reason, "exited 78, which never restarts (configuration error)");
	d = restart_decide(&always, &s, &noexec, SEC, 0);
	ck_assert_int_eq(d.action, ACTION_FATAL);
	ck_assert_str_eq(d.reason, "exec failed: No such file or directory");
	ck_assert_int_eq(restart_decide(&always, &s, &ok, SEC, 0).action, ACTION_RESTART);
	ck_assert_int_eq(restart_decide(&onfail, &s, &ok, SEC, 0).action, ACTION_STAY_DOWN);
	ck_assert_int_eq(restart_decide(&onfail, &s, &term, SEC, 0).action, ACTION_STAY_DOWN);
	ck_assert_int_eq(restart_decide(&onfail, &s, &code1, SEC, 0).action, ACTION_RESTART);
	ck_assert_int_eq(restart_decide(&never, &s, &code1, SEC, 0).action, ACTION_STAY_DOWN);
	onfail.success[1] = 3;
	onfail.n_success = 2;
	ck_assert(exit_is_success(&onfail, &(struct exit_status){ .code = 3 }));
	ck_assert(!exit_is_success(&onfail, &(struct exit_status){ .signaled = true, .signal = SIGKILL }));
}
END_TEST

static Suite *restart_suite(void)
{
	Suite *s = suite_create("restart_policy");
	TCase *tc = tcase_create("decide");

	tcase_add_test(tc, backoff_grows_then_resets_after_stable_running);
	tcase_add_test(tc, crash_loop_goes_fatal_and_clear_recovers);
	tcase_add_test(tc, exit_codes_and_modes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(restart_suite());
}
