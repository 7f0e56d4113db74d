/* base_term.c - base and term currency of any Kraken pair name: the sinks'
 * splitting (lp_base_term, X...Z and 6-character names and a few more)
 * plus a fallback for the names it leaves out (XBTUSDT, USDCUSD, DOTUSD...). */
#include <string.h>

#include "workers/trading/base_term.h"
#include "workers/sink/line_protocol.h"

/* Term currencies of four letters, tried before the three-letter default. */
static const char *const four_letter_terms[] = { "USDT", "USDC" };

void kraken_base_term(const char *pair, char base[8], char term[8])
{
	size_t n = strlen(pair), tl = 3;

	lp_base_term(pair, base, term);
	if (base[0] != '\0' || n < 4)
		return;
	for (size_t i = 0; i < sizeof(four_letter_terms) / sizeof(four_letter_terms[0]); i++)
		if (n > 4 && strcmp(pair + n - 4, four_letter_terms[i]) == 0)
			tl = 4;
	if (n - tl > 7)
		return;	/* no base fits: no base and term */
	memcpy(base, pair, n - tl);
	base[n - tl] = '\0';
	memcpy(term, pair + n - tl, tl + 1);
}
