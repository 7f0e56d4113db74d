/* sentiment.c - posts scored per second by x.sentiment's code, for
 * bench/sentiment.sh: each line of FILE is one filtered-stream line (a post
 * as X sends it); "text" mode scores the texts only (vader_score), "line"
 * mode does what the kind does per line (x_post_parse: the JSON scan, the
 * author and place lookups, the score).  Prints the best and the median of
 * TRIALS runs as posts/s, and the scores of each post (--dump) for the
 * script to compare with the Python reference. */
#include <autoconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers/twitter/x_post.h"

#define MAX_LINES 100000

static char *lines[MAX_LINES];
static size_t lens[MAX_LINES], n_lines;
static char texts[MAX_LINES][NBPY_TEXT_MAX + 1];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct nbpy_error err = { 0 };
	struct vader_lexicon *lex;
	char buf[1 << 16];
	double rates[64];
	int trials;
	FILE *f;

	if (argc != 5 || (strcmp(argv[1], "text") && strcmp(argv[1], "line") && strcmp(argv[1], "dump"))) {
		fprintf(stderr, "usage: sentiment text|line|dump LEXICON FILE TRIALS\n");
		return 2;
	}
	trials = atoi(argv[4]);
	if (trials < 1 || trials > 64)
		trials = 5;
	if (!(lex = vader_lexicon_load(argv[2], &err))) {
		fprintf(stderr, "sentiment: %s\n", err.msg);
		return 1;
	}
	if (!(f = fopen(argv[3], "r"))) {
		perror(argv[3]);
		return 1;
	}
	while (n_lines < MAX_LINES && fgets(buf, sizeof(buf), f)) {
		struct nbpy_msg m;
		const char *why;
		size_t len = strcspn(buf, "\r\n"), at;

		buf[len] = '\0';
		lines[n_lines] = strdup(buf);
		lens[n_lines] = len;
		if (!lines[n_lines] || x_post_parse(buf, len, lex, true, &m, &why, &at) != X_POST_OK) {
			fprintf(stderr, "sentiment: line %zu: %s\n", n_lines + 1, lines[n_lines] ? why : "no memory");
			return 1;
		}
		strcpy(texts[n_lines], m.u.sentiment.text);
		if (strcmp(argv[1], "dump") == 0)
			printf("%.4f %.3f %.3f %.3f\n", m.u.sentiment.compound, m.u.sentiment.neg, m.u.sentiment.neu,
			       m.u.sentiment.pos);
		n_lines++;
	}
	(void)fclose(f);
	if (strcmp(argv[1], "dump") == 0)
		return 0;
	for (int t = 0; t < trials; t++) {
		double t0 = now(), sum = 0;

		for (size_t i = 0; i < n_lines; i++) {
			struct vader_scores s;
			struct nbpy_msg m;
			const char *why;
			size_t at;

			if (argv[1][0] == 't') {
				(void)vader_score(lex, texts[i], strlen(texts[i]), &s);
				sum += s.compound;
			} else {
				(void)x_post_parse(lines[i], lens[i], lex, false, &m, &why, &at);
				sum += m.u.sentiment.compound;
			}
		}
		rates[t] = (double)n_lines / (now() - t0);
		if (sum == 12345.678)	/* keeps the work */
			puts("");
	}
	qsort(rates, (size_t)trials, sizeof(rates[0]), cmp);
	printf("%s %zu %.0f %.0f\n", argv[1], n_lines, rates[trials - 1], rates[trials / 2]);
	vader_lexicon_free(lex);
	return 0;
}
