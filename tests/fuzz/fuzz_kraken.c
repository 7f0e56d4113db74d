/* fuzz_kraken.c - libFuzzer target for Kraken's four REST answers
 * (workers/kraken/answers.c behind rest.c's envelope check).  The first
 * byte picks the answer: '0' AssetPairs, '1' Ticker, '2' Depth, '3' Trades
 * (modulo 4); the rest is the HTTP body, not NUL-terminated.  Whatever it
 * holds: nothing but the asked pairs is published, every published price is
 * positive and finite and every volume non-negative, each message encodes,
 * and published + bad never exceeds the entries of the answer. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workers/kraken/answers.h"
#include "workers/kraken/rest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char PAIR[] = "XXBTZUSD";

static void check_levels(const struct nbpy_book_level *lv, uint32_t n)
{
	if (n > NBPY_BOOK_LEVELS_MAX)
		abort();
	for (uint32_t i = 0; i < n; i++)
		if (!(lv[i].price > 0 && isfinite(lv[i].price)) || !(lv[i].volume >= 0 && isfinite(lv[i].volume)))
			abort();
}

/* Every published message: asked for, in range, and encodable. */
static int publish(void *arg, struct nbpy_msg *m)
{
	const struct kraken_pairs *asked = arg;
	static char out[NBPY_WIRE_MAX];
	size_t len;

	switch (m->h.schema) {
	case NBPY_SCHEMA_KRAKEN_TICKER: {
		const struct nbpy_kraken_ticker *k = &m->u.ticker;

		if (!kraken_pairs_has(asked, k->instrument) || !(k->ask_price > 0) || !(k->bid_price > 0) ||
		    !(k->last_trade_price > 0) || !(k->ask_lot_volume >= 0) || !(k->bid_lot_volume >= 0) ||
		    !(k->volume_today >= 0) || !(k->low_today >= 0) || k->trades_today < 0)
			abort();
		break;
	}
	case NBPY_SCHEMA_BOOK_TOP:
		if (strcmp(m->u.book.instrument, PAIR) != 0)
			abort();
		check_levels(m->u.book.bids, m->u.book.n_bids);
		check_levels(m->u.book.asks, m->u.book.n_asks);
		break;
	case NBPY_SCHEMA_TRADE:
		if (strcmp(m->u.trade.instrument, PAIR) != 0 || !(m->u.trade.price > 0) ||
		    !(m->u.trade.volume >= 0) || m->u.trade.trade_id < 1)
			abort();
		break;
	default:
		abort();
	}
	if (nbpy_wire_encode(m, out, sizeof(out), &len, NULL) != 0)
		abort();
	return 0;
}

/* Entries of a result object, and of the one list a Trades answer pages. */
static size_t entries(struct json_object *result)
{
	size_t n = (size_t)json_object_object_length(result);
	struct json_object *list;

	if (json_object_object_get_ex(result, PAIR, &list) && json_object_is_type(list, json_type_array))
		n += json_object_array_length(list);
	return n;
}

static void asset_pairs(struct json_object *result, bool dark_pool)
{
	struct kraken_pairs p;
	char *joined;

	if (kraken_asset_pairs(result, dark_pool, &p) < 0)
		return;
	if (p.n > (size_t)json_object_object_length(result))
		abort();
	for (size_t i = 0; i < p.n; i++)
		if (!kraken_pairs_has(&p, p.names[i]) || (!dark_pool && strstr(p.names[i], ".d") != NULL))
			abort();
	joined = kraken_pairs_join(&p);
	free(joined);
	kraken_pairs_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const ASKED[] = { "XXBTZUSD", "XETHZEUR", "A" };
	struct kraken_pairs asked;
	struct kraken_answer a = { .publish = publish, .arg = &asked };
	struct kraken_trades_cursor c = { "", 0 };
	struct json_object *root, *result;
	char why[300], *body;

	if (size < 1 || kraken_pairs_set(&asked, ASKED, 3) < 0)
		return 0;
	/* a copy of exactly the body: reading past it is an error */
	body = malloc(size - 1 ? size - 1 : 1);
	if (body == NULL)
		abort();
	memcpy(body, data + 1, size - 1);
	if (kraken_envelope(body, size - 1, &root, &result, why, sizeof(why)) == KRAKEN_OK) {
		switch (data[0] % 4) {
		case 0:
			asset_pairs(result, data[0] & 4);
			break;
		case 1:
			kraken_ticker_answer(result, &asked, 1, &a);
			break;
		case 2:
			kraken_depth_answer(result, PAIR, 1, &a);
			break;
		case 3:
			if (kraken_trades_answer(result, PAIR, 1, &c, &a, why, sizeof(why)) == 0 &&
			    strspn(c.since, "0123456789") != strlen(c.since))
				abort();
			break;
		}
		if (a.published + a.bad > entries(result) || (a.bad > 0) != (a.first_bad[0] != '\0'))
			abort();
		json_object_put(root);
	} else if (root != NULL || why[0] == '\0') {
		abort();	/* a failure says why and leaves nothing to free */
	}
	free(body);
	kraken_pairs_free(&asked);
	return 0;
}
