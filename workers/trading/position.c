/* position.c - netting of fills into a position (position.h). */
#include <math.h>

#include "workers/trading/position.h"

double position_fill(struct position *p, double du, double price)
{
	double q = p->units, realised = 0;

	if (du == 0)
		return 0;
	if (q == 0 || (q > 0) == (du > 0)) {
		p->average = (p->average * fabs(q) + price * fabs(du)) / fabs(q + du);
	} else {
		double closed = fmin(fabs(du), fabs(q));

		realised = (price - p->average) * closed * (q > 0 ? 1 : -1);
		if (fabs(du) > fabs(q))
			p->average = price;	/* flipped: the rest opens here */
		else if (q + du == 0)
			p->average = 0;
	}
	p->units = q + du;
	return realised;
}

double position_unrealised(const struct position *p, double mark)
{
	return p->units == 0 ? 0 : (mark - p->average) * p->units;
}

bool position_opens(const struct position *p, double du)
{
	return fabs(p->units + du) > fabs(p->units);
}
