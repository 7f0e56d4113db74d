/* base_term.h - base and term currency of any Kraken pair name, for the
 * trading kinds (exposure's tags, basket's cross pairs). */
#ifndef NBPY_TRADING_BASE_TERM_H
#define NBPY_TRADING_BASE_TERM_H

/* The sinks' rules (lp_base_term), else the last four letters when they name
 * a four-letter term (USDT, USDC), else the last three; "" and "" when no
 * base fits in 7 characters.  The term is always the pair's suffix. */
void kraken_base_term(const char *pair, char base[8], char term[8]);

#endif
