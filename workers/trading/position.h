/* position.h - one instrument's net position (netting: one signed position
 * per instrument, through zero and back), the arithmetic of
 * next-capabilities §3.2: adding moves the average price to the weighted
 * average; reducing keeps it and realises (price - average) * closed units
 * * sign; a flip opens the remainder at the fill's price; flat has no
 * average.  Prices and what position_fill returns are in the instrument's
 * quote currency; the caller converts to the account currency. */
#ifndef NBPY_TRADING_POSITION_H
#define NBPY_TRADING_POSITION_H

#include <stdbool.h>

struct position {
	double units;		/* signed: > 0 long, < 0 short; whole units */
	double average;		/* average open price; 0 when flat */
	double realised;	/* account currency, fees included (kept by the caller) */
	double fees;		/* account currency (kept by the caller) */
};

/* Net a fill of du signed units (> 0 bought, < 0 sold) at price into p;
 * returns what it realised, quote currency, before fees. */
double position_fill(struct position *p, double du, double price);

/* (mark - average) * units, quote currency; 0 when flat. */
double position_unrealised(const struct position *p, double mark);

/* Whether a fill of du signed units leaves p larger in absolute size: an
 * opening order, which the risk limits may refuse (a reducing one never). */
bool position_opens(const struct position *p, double du);

#endif
