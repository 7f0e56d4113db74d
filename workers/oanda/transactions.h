/* transactions.h - the keys of kind oanda.transactions, shared by the kind
 * (transactions.c) and its one-shot trades listing (trades_list.c). */
#ifndef NBPY_OANDA_TRANSACTIONS_H
#define NBPY_OANDA_TRANSACTIONS_H

#include <stdint.h>

#include "common/config.h"

struct transactions_settings {
	const char *url;	/* stream host */
	const char *api_url;	/* REST host: sinceid, trades */
	const char *account;
	const char *token;
	int64_t idle_timeout;	/* ns */
	int64_t request_timeout;	/* ns */
	int64_t start_delay;	/* ns */
};

/* `nbpy-worker --once SERVICE`: the account's open trades (TradesList) as
 * indented JSON on stdout, as the original pub_oanda_orders_.py printed
 * them.  Returns the exit code: 0, 78 for a configuration problem, 1 when
 * OANDA did not answer with the trades. */
int oanda_trades_list(const struct nbpy_service *svc);

#endif
