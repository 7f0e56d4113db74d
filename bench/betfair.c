/* betfair.c - the C side of bench/betfair.sh: applies every mcm line of a
 * file to workers/betfair/market_cache as betfair.stream does (the line
 * checked into common/json_scan's tape, a SUB_IMAGE clearing the cache,
 * each mc applied, each changed runner's betfair_market message filled),
 * PASSES times over, and prints "LINES MC RUNNERS SECONDS" for one pass
 * (the best).  With "check" after PASSES, only json_scan's check of each
 * line (what any strict reading costs at least); with "tape", the check
 * and the tape, nothing applied.  Not a test.
 *
 *	bench/betfair FILE [PASSES [check|tape]] */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json_scan.h"
#include "workers/betfair/market_cache.h"

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	FILE *f;
	char *data;
	long size;
	int passes = argc > 2 ? atoi(argv[2]) : 5;
	bool check_only = argc > 3 && strcmp(argv[3], "check") == 0;
	bool tape_only = argc > 3 && strcmp(argv[3], "tape") == 0;
	double best = 1e9;
	unsigned long long lines = 0, mcs = 0, out = 0, sink = 0;

	if (argc < 2 || passes < 1) {
		fprintf(stderr, "usage: bench/betfair FILE [PASSES [check|tape]]\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (data = malloc((size_t)size + 1)) == NULL ||
	    fread(data, 1, (size_t)size, f) != (size_t)size) {
		perror(argv[1]);
		return 1;
	}
	fclose(f);
	data[size] = '\0';
	for (int pass = 0; pass < passes; pass++) {
		struct nbpy_json_tape t = NBPY_JSON_TAPE_INIT;
		struct bf_cache c;
		double t0;

		if (bf_cache_init(&c, 1000, 200) != 0)
			return 1;
		lines = mcs = out = 0;
		t0 = now();
		for (char *p = data, *nl; p < data + size; p = nl + 1) {
			struct nbpy_json_field fl[] = { { .name = "op" }, { .name = "ct" }, { .name = "mc" }, { .name = "pt" } };
			struct nbpy_json root;
			int64_t pt = 0;

			if ((nl = memchr(p, '\n', (size_t)(data + size - p))) == NULL)
				nl = data + size;
			lines++;
			if (check_only) {
				if (nbpy_json_scan_object(p, (size_t)(nl - p), &root, fl, 4, NULL) != NULL) {
					fprintf(stderr, "bad line %llu\n", lines);
					return 1;
				}
				continue;
			}
			if (nbpy_json_tape_scan(&t, p, (size_t)(nl - p), NULL) != NULL ||
			    nbpy_json_tape_fields(&t, 0, fl, 4) != NULL || nbpy_json_int64(fl[3].value, &pt) != NULL) {
				fprintf(stderr, "bad line %llu\n", lines);
				return 1;
			}
			if (tape_only)
				continue;
			if (fl[1].value.len == 11 && memcmp(fl[1].value.text, "\"SUB_IMAGE\"", 11) == 0)
				bf_cache_clear(&c);
			for (uint32_t mc = fl[2].at + 1; fl[2].at != 0 && mc < t.tok[fl[2].at].next; mc = t.tok[mc].next) {
				struct bf_market *m;
				struct nbpy_msg msg;

				if (bf_cache_apply(&c, &t, mc, &m) != NULL || m == NULL) {
					fprintf(stderr, "line %llu refused\n", lines);
					return 1;
				}
				mcs++;
				for (uint32_t i = 0; i < m->n_runners; i++)
					if (m->runners[i].changed) {
						bf_runner_message(m, &m->runners[i], pt * 1000000, &msg);
						sink += (unsigned long long)msg.u.betfair.selection_id;
						out++;
					}
			}
		}
		if (now() - t0 < best)
			best = now() - t0;
		bf_cache_free(&c);
		nbpy_json_tape_free(&t);
	}
	printf("%llu %llu %llu %.6f\n", lines, mcs, out, best);
	free(data);
	return !check_only && sink == 0;	/* keeps the messages from being optimised away */
}
