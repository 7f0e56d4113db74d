/* test_position.c - the trader's netting arithmetic (position.c) against
 * values computed by hand, and its state file (trader_state.c): read back
 * bit for bit, and a damaged file is an error naming it, never a reset. */
#include <math.h>

#include "workers/trading/position.h"
#include "workers/trading/trader_state.h"
#include "tests/unit/testutil.h"

#define TOL 1e-9

static void is(const struct position *p, double units, double average)
{
	ck_assert_double_eq_tol(p->units, units, TOL);
	ck_assert_double_eq_tol(p->average, average, TOL);
}

/* Adding, reducing, flipping through zero, closing: every step by hand. */
START_TEST(netting_by_hand)
{
	struct position p = { 0 };

	ck_assert_double_eq_tol(position_fill(&p, 1000, 1.1000), 0, TOL);
	is(&p, 1000, 1.1);
	/* add: (1.1 * 1000 + 1.104 * 3000) / 4000 = 4412 / 4000 */
	ck_assert_double_eq_tol(position_fill(&p, 3000, 1.1040), 0, TOL);
	is(&p, 4000, 1.103);
	/* reduce: (1.11 - 1.103) * 1000 * +1 = 7; the average stays */
	ck_assert_double_eq_tol(position_fill(&p, -1000, 1.1100), 7.0, TOL);
	is(&p, 3000, 1.103);
	/* flip: 3000 closed at (1.1 - 1.103) * 3000 = -9, 2000 short open at 1.1 */
	ck_assert_double_eq_tol(position_fill(&p, -5000, 1.1000), -9.0, TOL);
	is(&p, -2000, 1.1);
	/* reduce a short: (1.095 - 1.1) * 500 * -1 = +2.5 */
	ck_assert_double_eq_tol(position_fill(&p, 500, 1.0950), 2.5, TOL);
	is(&p, -1500, 1.1);
	/* a short marked at its ask 1.09: (1.09 - 1.1) * -1500 = +15 */
	ck_assert_double_eq_tol(position_unrealised(&p, 1.09), 15.0, TOL);
	/* close: (1.102 - 1.1) * 1500 * -1 = -3; flat has no average */
	ck_assert_double_eq_tol(position_fill(&p, 1500, 1.1020), -3.0, TOL);
	is(&p, 0, 0);
	ck_assert_double_eq_tol(position_unrealised(&p, 1.2), 0, TOL);
	/* adding to a short: (1.2 * 1000 + 1.1 * 1000) / 2000 */
	position_fill(&p, -1000, 1.2);
	position_fill(&p, -1000, 1.1);
	is(&p, -2000, 1.15);
	/* a fill of nothing changes nothing */
	ck_assert_double_eq_tol(position_fill(&p, 0, 9.9), 0, TOL);
	is(&p, -2000, 1.15);
}
END_TEST

START_TEST(opening_or_reducing)
{
	struct position flat = { 0 }, lng = { .units = 1000, .average = 1.1 };

	ck_assert(position_opens(&flat, 1));
	ck_assert(position_opens(&flat, -1));
	ck_assert(position_opens(&lng, 1));
	ck_assert(!position_opens(&lng, -500));
	ck_assert(!position_opens(&lng, -2000));	/* to -1000: no larger */
	ck_assert(position_opens(&lng, -2001));		/* through zero, larger */
}
END_TEST

static const char *temp_path(void)
{
	static char path[64];
	int fd;

	(void)snprintf(path, sizeof(path), "/tmp/nbpy-trader-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	return path;
}

START_TEST(state_round_trip)
{
	struct trader_state s, back;
	struct nbpy_error err;
	const char *path = temp_path();

	memset(&s, 0, sizeof(s));
	s.last_signal_id = 1700000000123456789LL;
	s.day = 19675;
	s.day_start_pl = 0.1 + 0.2;	/* 0.30000000000000004: needs all 17 digits */
	s.halted = true;
	s.halted_loss = 512.3;
	s.n_held = 2;
	strcpy(s.held[0].instrument, "EUR_USD");
	s.held[0].p = (struct position){ .units = -1500, .average = 4412.0 / 4000, .realised = -1.0 / 3, .fees = 0.07 };
	strcpy(s.held[1].instrument, "USD_JPY");
	s.held[1].p = (struct position){ .units = 0, .average = 0, .realised = 12.5, .fees = 0 };
	s.n_recent = 2;
	s.recent[0] = 1700000000000000000LL;
	s.recent[1] = 1700000001000000000LL;
	s.n_in_flight = 2;	/* everything settle() and the lookup need; the second without take profit */
	s.in_flight[0] = (struct trader_in_flight){
		.o = { .client_id = "nbpy-0a1b2c3d-1700000000123456789-1", .signal_id = 1700000000123456789LL,
		       .instrument = "EUR_USD", .side = 's', .units = 1000, .price = 1.08123,
		       .take_profit = 1.07900, .stop_loss = 1.1 + 0.2 },
		.rate = 1, .event_ns = 1700000000123456789LL, .recv_ns = 1700000000223456789LL };
	s.in_flight[1] = (struct trader_in_flight){
		.o = { .client_id = "nbpy-0a1b2c3d-1700000000123456789-2", .signal_id = 1700000000123456789LL,
		       .instrument = "USD_JPY", .side = 'b', .units = 1234, .price = 149.5, .take_profit = NAN,
		       .stop_loss = NAN },
		.rate = 1 / 149.5, .event_ns = 5, .recv_ns = 6 };
	ck_assert_int_eq(trader_state_save(&s, path, &err), 0);
	ck_assert_int_eq(trader_state_load(&back, path, &err), 0);
	ck_assert_int_eq(back.last_signal_id, s.last_signal_id);
	ck_assert_int_eq(back.day, s.day);
	ck_assert(back.day_start_pl == s.day_start_pl);
	ck_assert(back.halted && back.halted_loss == 512.3);
	ck_assert_uint_eq(back.n_held, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_str_eq(back.held[i].instrument, s.held[i].instrument);
		ck_assert(memcmp(&back.held[i].p, &s.held[i].p, sizeof(s.held[i].p)) == 0);
	}
	ck_assert_uint_eq(back.n_recent, 2);
	ck_assert_int_eq(back.recent[1], s.recent[1]);
	ck_assert_uint_eq(back.n_in_flight, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct trader_in_flight *a = &s.in_flight[i], *b = &back.in_flight[i];

		ck_assert_str_eq(b->o.client_id, a->o.client_id);
		ck_assert_int_eq(b->o.signal_id, a->o.signal_id);
		ck_assert_str_eq(b->o.instrument, a->o.instrument);
		ck_assert_int_eq(b->o.side, a->o.side);
		ck_assert(b->o.units == a->o.units && b->o.price == a->o.price && b->rate == a->rate);
		ck_assert(i == 0 ? b->o.take_profit == a->o.take_profit && b->o.stop_loss == a->o.stop_loss
				 : isnan(b->o.take_profit) && isnan(b->o.stop_loss));
		ck_assert(isnan(b->o.trailing_stop));
		ck_assert_int_eq(b->event_ns, a->event_ns);
		ck_assert_int_eq(b->recv_ns, a->recv_ns);
	}
	unlink(path);
	ck_assert_int_eq(trader_state_load(&back, path, &err), 1);	/* none: a first run */
	ck_assert_uint_eq(back.n_held, 0);
}
END_TEST

/* A damaged file is an error that names the file and what is wrong. */
static void refused(const char *text, const char *why)
{
	struct trader_state s;
	struct nbpy_error err = { 0 };
	const char *path = write_temp(text);

	ck_assert_int_eq(trader_state_load(&s, path, &err), -1);
	ck_assert_msg(strstr(err.msg, path) != NULL && strstr(err.msg, why) != NULL, "'%s': %s", text, err.msg);
	ck_assert_uint_eq(s.n_held, 0);
	unlink(path);
}

#define GOOD_HEAD "{\"last_signal_id\": 5, \"day\": 1, \"day_start_pl\": 0, \"halted\": false, " \
		  "\"halted_loss\": 0, \"recent_orders\": [], \"in_flight\": [], \"positions\": "

START_TEST(state_damaged)
{
	struct trader_state s;
	struct nbpy_error err;
	const char *path = write_temp(GOOD_HEAD "{\"EUR_USD\": {\"units\": 1000, \"average_price\": 1.1, "
				      "\"realised_pl\": 0, \"fees\": 0}}}\n");

	ck_assert_int_eq(trader_state_load(&s, path, &err), 0);	/* the good one, trailing newline and all */
	ck_assert_double_eq(s.held[0].p.units, 1000);
	unlink(path);
	refused("", "cut short");
	refused(GOOD_HEAD "{}", "cut short");
	refused(GOOD_HEAD "{}} x", "more after the object");
	refused("[]", "not a JSON object");
	refused(GOOD_HEAD "{\"EUR_USD\": {\"units\": \"1000\", \"average_price\": 1.1, \"realised_pl\": 0, "
		"\"fees\": 0}}}", "EUR_USD: units: not a number");
	refused(GOOD_HEAD "{\"EUR_USD\": {\"units\": 1000.5, \"average_price\": 1.1, \"realised_pl\": 0, "
		"\"fees\": 0}}}", "not whole units");
	refused(GOOD_HEAD "{\"EUR_USD\": {\"units\": 1000, \"realised_pl\": 0, \"fees\": 0}}}",
		"average_price: missing");
	refused("{\"last_signal_id\": 5.5}", "last_signal_id: not an integer");
}
END_TEST

#define FLIGHT_HEAD "{\"last_signal_id\": 5, \"day\": 1, \"day_start_pl\": 0, \"halted\": false, " \
		    "\"halted_loss\": 0, \"recent_orders\": [], \"positions\": {}, \"in_flight\": "
#define ORDER_HEAD "{\"client_id\": \"nbpy-1-5-1\", \"signal_id\": 5, \"instrument\": \"EUR_USD\", "
#define ORDER_TAIL "\"price\": 1.1, \"rate\": 1, \"event_ns\": 5, \"recv_ns\": 6}]}"

/* A file of an older trader (client ids only) still reads, as orders of
 * which only the id is known; a damaged order is an error naming it. */
START_TEST(state_in_flight_formats)
{
	struct trader_state s;
	struct nbpy_error err;
	const char *path = write_temp(FLIGHT_HEAD "[\"nbpy-0a1b2c3d-7-1\", \"nbpy-0a1b2c3d-7-2\"]}");

	ck_assert_int_eq(trader_state_load(&s, path, &err), 0);
	ck_assert_uint_eq(s.n_in_flight, 2);
	ck_assert_str_eq(s.in_flight[1].o.client_id, "nbpy-0a1b2c3d-7-2");
	ck_assert_str_eq(s.in_flight[1].o.instrument, "");	/* not known: not looked up */
	unlink(path);
	path = write_temp(FLIGHT_HEAD "[" ORDER_HEAD "\"side\": \"s\", \"units\": 700, " ORDER_TAIL);
	ck_assert_int_eq(trader_state_load(&s, path, &err), 0);
	ck_assert_uint_eq(s.n_in_flight, 1);
	ck_assert_int_eq(s.in_flight[0].o.side, 's');
	ck_assert_double_eq(s.in_flight[0].o.units, 700);
	ck_assert(isnan(s.in_flight[0].o.take_profit) && isnan(s.in_flight[0].o.stop_loss));
	unlink(path);
	refused(FLIGHT_HEAD "[\"\"]}", "in_flight: order 1: client_id: not a client id");
	refused(FLIGHT_HEAD "[7]}", "in_flight: order 1: client_id: not an order nor a client id");
	refused(FLIGHT_HEAD "[" ORDER_HEAD "\"side\": \"x\", \"units\": 700, " ORDER_TAIL, "order 1: side: not b or s");
	refused(FLIGHT_HEAD "[" ORDER_HEAD "\"side\": \"b\", \"units\": 0, " ORDER_TAIL,
		"order 1: units: not whole units");
	refused(FLIGHT_HEAD "[" ORDER_HEAD "\"side\": \"b\", " ORDER_TAIL, "order 1: units: missing");
	refused(FLIGHT_HEAD "[" ORDER_HEAD "\"side\": \"b\", \"units\": 1, \"take_profit\": \"1\", " ORDER_TAIL,
		"order 1: take_profit: not a number");
}
END_TEST

static Suite *position_suite(void)
{
	Suite *s = suite_create("position");
	TCase *tc = tcase_create("netting");

	tcase_add_test(tc, netting_by_hand);
	tcase_add_test(tc, opening_or_reducing);
	tcase_add_test(tc, state_round_trip);
	tcase_add_test(tc, state_damaged);
	tcase_add_test(tc, state_in_flight_formats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(position_suite());
}
