/* vader.c - VADER sentiment scores (vader.h): the lexicon as a hash table,
 * the tokeniser and the rules of vaderSentiment 3.3.2, step for step
 * (docs/sentiment.md says where this port differs and why). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "workers/twitter/vader.h"

/* The method's empirically derived constants (Hutto & Gilbert 2014). */
#define B_INCR 0.293
#define B_DECR (-0.293)
#define C_INCR 0.733
#define N_SCALAR (-0.74)
#define LEXICON_FILE_MAX (16u << 20)
#define RULE_WORDS 256		/* more than the rules' lists have words */

/* One word: its lexicon valence and what the rules make of it, found
 * with one lookup per token. */
struct lex_entry {
	const char *word;	/* NULL: free slot */
	size_t len;
	double valence;
	double booster;		/* a one-word booster's B_INCR or B_DECR, else 0 */
	bool in_lex;		/* the lexicon has it (valence is its) */
	bool negate;		/* in the NEGATE list */
	bool phrase;		/* a word of an idiom or of a two-word booster */
};

struct vader_lexicon {
	char *text;		/* the file, words NUL-terminated in place */
	struct lex_entry *slots;
	size_t mask, n;
};

static uint64_t hash_word(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct lex_entry *lex_slot(const struct vader_lexicon *lex, const char *word, size_t len)
{
	size_t i = (size_t)hash_word(word, len) & lex->mask;

	while (lex->slots[i].word &&
	       (lex->slots[i].len != len || memcmp(lex->slots[i].word, word, len) != 0))
		i = (i + 1) & lex->mask;
	return &lex->slots[i];
}

double vader_lexicon_get(const struct vader_lexicon *lex, const char *word, size_t len, int *found)
{
	const struct lex_entry *e = lex_slot(lex, word, len);

	*found = e->word != NULL && e->in_lex;
	return *found ? e->valence : 0.0;
}

size_t vader_lexicon_size(const struct vader_lexicon *lex)
{
	return lex->n;
}

void vader_lexicon_free(struct vader_lexicon *lex)
{
	if (!lex)
		return;
	free(lex->text);
	free(lex->slots);
	free(lex);
}

static char *read_lexicon_file(const char *path, size_t *len, struct nbpy_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		nbpy_error_set(err, "%s: %s (fetch it with scripts/lib/vader_lexicon.sh)", path, strerror(errno));
		return NULL;
	}
	buf = malloc(LEXICON_FILE_MAX + 1);
	if (!buf) {
		(void)fclose(f);
		nbpy_error_set(err, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, LEXICON_FILE_MAX + 1, f);
	if (ferror(f) || n > LEXICON_FILE_MAX) {
		nbpy_error_set(err, "%s: %s", path, ferror(f) ? "read error" : "over 16 MiB: not a lexicon");
		(void)fclose(f);
		free(buf);
		return NULL;
	}
	(void)fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* One line: WORD TAB MEAN [TAB ...].  A repeated word takes the later value,
 * as the reference's dict does. */
static int parse_line(struct vader_lexicon *lex, char *line, size_t len, const char *path, unsigned lineno,
		      struct nbpy_error *err)
{
	char *tab = memchr(line, '\t', len), *end;
	struct lex_entry *e;
	double v;

	if (!tab)
		return nbpy_error_set(err, "%s:%u: no TAB after the word", path, lineno);
	if (tab == line || (size_t)(tab - line) > VADER_WORD_MAX)
		return nbpy_error_set(err, "%s:%u: the word has %zu bytes (1..%d)", path, lineno,
				      (size_t)(tab - line), VADER_WORD_MAX);
	*tab = '\0';
	errno = 0;
	v = strtod(tab + 1, &end);
	if (end == tab + 1 || errno || !(v >= -4.0 && v <= 4.0) || (*end && *end != '\t'))
		return nbpy_error_set(err, "%s:%u: the valence of \"%s\" is not a number in -4..4", path,
				      lineno, line);
	e = lex_slot(lex, line, (size_t)(tab - line));
	if (!e->word) {
		e->word = line;
		e->len = (size_t)(tab - line);
		lex->n++;
	}
	e->valence = v;
	e->in_lex = true;
	return 0;
}

/* ---- the rules' word lists (vaderSentiment 3.3.2) ---- */

struct scaled_word {
	const char *word;
	double value;
};

static const char *const negate_words[] = {
	"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
	"couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt",
	"mustnt", "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt",
	"needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt",
	"uhuh", "wasnt", "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without",
	"wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
};

/* Boosters and dampeners; the two-word ones only count in the idiom step. */
static const struct scaled_word boosters[] = {
	{ "absolutely", B_INCR }, { "amazingly", B_INCR }, { "awfully", B_INCR }, { "completely", B_INCR },
	{ "considerable", B_INCR }, { "considerably", B_INCR }, { "decidedly", B_INCR }, { "deeply", B_INCR },
	{ "effing", B_INCR }, { "enormous", B_INCR }, { "enormously", B_INCR }, { "entirely", B_INCR },
	{ "especially", B_INCR }, { "exceptional", B_INCR }, { "exceptionally", B_INCR }, { "extreme", B_INCR },
	{ "extremely", B_INCR }, { "fabulously", B_INCR }, { "flipping", B_INCR }, { "flippin", B_INCR },
	{ "frackin", B_INCR }, { "fracking", B_INCR }, { "fricking", B_INCR }, { "frickin", B_INCR },
	{ "frigging", B_INCR }, { "friggin", B_INCR }, { "fully", B_INCR }, { "fuckin", B_INCR },
	{ "fucking", B_INCR }, { "fuggin", B_INCR }, { "fugging", B_INCR }, { "greatly", B_INCR },
	{ "hella", B_INCR }, { "highly", B_INCR }, { "hugely", B_INCR }, { "incredible", B_INCR },
	{ "incredibly", B_INCR }, { "intensely", B_INCR }, { "major", B_INCR }, { "majorly", B_INCR },
	{ "more", B_INCR }, { "most", B_INCR }, { "particularly", B_INCR }, { "purely", B_INCR },
	{ "quite", B_INCR }, { "really", B_INCR }, { "remarkably", B_INCR }, { "so", B_INCR },
	{ "substantially", B_INCR }, { "thoroughly", B_INCR }, { "total", B_INCR }, { "totally", B_INCR },
	{ "tremendous", B_INCR }, { "tremendously", B_INCR }, { "uber", B_INCR }, { "unbelievably", B_INCR },
	{ "unusually", B_INCR }, { "utter", B_INCR }, { "utterly", B_INCR }, { "very", B_INCR },
	{ "almost", B_DECR }, { "barely", B_DECR }, { "hardly", B_DECR }, { "just enough", B_DECR },
	{ "kind of", B_DECR }, { "kinda", B_DECR }, { "kindof", B_DECR }, { "kind-of", B_DECR },
	{ "less", B_DECR }, { "little", B_DECR }, { "marginal", B_DECR }, { "marginally", B_DECR },
	{ "occasional", B_DECR }, { "occasionally", B_DECR }, { "partly", B_DECR }, { "scarce", B_DECR },
	{ "scarcely", B_DECR }, { "slight", B_DECR }, { "slightly", B_DECR }, { "somewhat", B_DECR },
	{ "sort of", B_DECR }, { "sorta", B_DECR }, { "sortof", B_DECR }, { "sort-of", B_DECR },
};

/* Idioms: their valence replaces the word's. */
static const struct scaled_word idioms[] = {
	{ "the shit", 3 }, { "the bomb", 3 }, { "bad ass", 1.5 }, { "badass", 1.5 }, { "bus stop", 0.0 },
	{ "yeah right", -2 }, { "kiss of death", -1.5 }, { "to die for", 3 }, { "beating heart", 3.1 },
	{ "broken heart", -2.9 },
};

/* The rules' words into the table, after the lexicon's (which they may
 * share): a slot each, words of the static lists (never freed). */
static void add_rule_word(struct vader_lexicon *lex, const char *word, size_t len, double booster, bool negate,
			  bool phrase)
{
	struct lex_entry *e = lex_slot(lex, word, len);

	if (!e->word) {
		e->word = word;
		e->len = len;
	}
	if (booster != 0)
		e->booster = booster;
	e->negate |= negate;
	e->phrase |= phrase;
}

/* Each word of a space-separated phrase. */
static void add_phrase_words(struct vader_lexicon *lex, const char *phrase)
{
	while (*phrase) {
		size_t len = strcspn(phrase, " ");

		add_rule_word(lex, phrase, len, 0, false, true);
		phrase += len + (phrase[len] == ' ');
	}
}

static void add_rule_words(struct vader_lexicon *lex)
{
	for (size_t k = 0; k < sizeof(negate_words) / sizeof(negate_words[0]); k++)
		add_rule_word(lex, negate_words[k], strlen(negate_words[k]), 0, true, false);
	for (size_t k = 0; k < sizeof(boosters) / sizeof(boosters[0]); k++) {
		if (strchr(boosters[k].word, ' '))
			add_phrase_words(lex, boosters[k].word);
		else
			add_rule_word(lex, boosters[k].word, strlen(boosters[k].word), boosters[k].value, false, false);
	}
	for (size_t k = 0; k < sizeof(idioms) / sizeof(idioms[0]); k++)
		add_phrase_words(lex, idioms[k].word);
}

struct vader_lexicon *vader_lexicon_load(const char *path, struct nbpy_error *err)
{
	struct vader_lexicon *lex = calloc(1, sizeof(*lex));
	size_t len = 0, lines = 0, cap = 16;
	unsigned lineno = 0;
	char *p;

	if (!lex) {
		nbpy_error_set(err, "%s: out of memory", path);
		return NULL;
	}
	lex->text = read_lexicon_file(path, &len, err);
	if (!lex->text)
		goto fail;
	for (size_t i = 0; i < len; i++)
		lines += lex->text[i] == '\n';
	while (cap < 2 * (lines + 1 + RULE_WORDS))
		cap *= 2;
	lex->slots = calloc(cap, sizeof(*lex->slots));
	if (!lex->slots) {
		nbpy_error_set(err, "%s: out of memory", path);
		goto fail;
	}
	lex->mask = cap - 1;
	for (p = lex->text; p < lex->text + len;) {
		char *nl = memchr(p, '\n', (size_t)(lex->text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(lex->text + len - p);
		char *next = p + n + (nl ? 1 : 0);

		lineno++;
		p[n] = '\0';
		if (n > 0 && p[n - 1] == '\r')
			p[--n] = '\0';
		if (n > 0 && parse_line(lex, p, n, path, lineno, err) != 0)
			goto fail;
		p = next;
	}
	if (lex->n == 0) {
		nbpy_error_set(err, "%s: no words: not a VADER lexicon", path);
		goto fail;
	}
	add_rule_words(lex);
	return lex;
fail:
	vader_lexicon_free(lex);
	return NULL;
}

/* ---- one text ---- */

struct token {
	uint32_t off, len;	/* the token in the lower-cased copy */
	bool upper;		/* Python's str.isupper() */
	bool in_lex;
	bool negated;		/* in the NEGATE list, or has "n't" */
	bool phrase;		/* may be part of an idiom or a two-word booster */
	double valence;		/* the lexicon's, when in_lex */
	double booster;		/* a booster's B_INCR or B_DECR, else 0 */
};

struct text {
	const char *low;	/* the text with ASCII and Latin-1 letters lower-cased */
	struct token *t;
	size_t n;
	bool cap_diff;		/* some tokens but not all are ALL CAPS */
};

static bool is(const struct text *x, size_t i, const char *word)
{
	size_t len = strlen(word);

	return x->t[i].len == len && memcmp(x->low + x->t[i].off, word, len) == 0;
}

/* Do the tokens from i on spell the words of phrase (space-separated)? */
static bool spells(const struct text *x, size_t i, const char *phrase)
{
	for (;;) {
		const char *sp = strchr(phrase, ' ');
		size_t len = sp ? (size_t)(sp - phrase) : strlen(phrase);

		if (i >= x->n || x->t[i].len != len || memcmp(x->low + x->t[i].off, phrase, len) != 0)
			return false;
		if (!sp)
			return true;
		phrase = sp + 1;
		i++;
	}
}

static size_t words_in(const char *phrase)
{
	size_t n = 1;

	for (; *phrase; phrase++)
		n += *phrase == ' ';
	return n;
}

/* A booster before a word pushes it away from zero (an ALL-CAPS one more). */
static double scalar_inc_dec(const struct text *x, size_t i, double valence)
{
	double scalar;

	if (x->t[i].booster == 0)
		return 0.0;
	scalar = valence < 0 ? -x->t[i].booster : x->t[i].booster;
	if (x->t[i].upper && x->cap_diff)
		scalar += valence > 0 ? C_INCR : -C_INCR;
	return scalar;
}

static bool so_or_this(const struct text *x, size_t i)
{
	return is(x, i, "so") || is(x, i, "this");
}

/* The word `back` places before i (1..3) may negate it. */
static double negation_check(const struct text *x, double valence, size_t back, size_t i)
{
	if (back == 1) {
		if (x->t[i - 1].negated)
			valence *= N_SCALAR;
	} else if (back == 2) {
		if (is(x, i - 2, "never") && so_or_this(x, i - 1))
			valence *= 1.25;
		else if (is(x, i - 2, "without") && is(x, i - 1, "doubt"))
			;
		else if (x->t[i - 2].negated)
			valence *= N_SCALAR;
	} else {
		/* the reference's precedence: (never and so|this) or so|this before */
		if ((is(x, i - 3, "never") && so_or_this(x, i - 2)) || so_or_this(x, i - 1))
			valence *= 1.25;
		else if (is(x, i - 3, "without") && (is(x, i - 2, "doubt") || is(x, i - 1, "doubt")))
			;
		else if (x->t[i - 3].negated)
			valence *= N_SCALAR;
	}
	return valence;
}

/* Idioms around word i (which has three words before it), then the
 * two-word boosters ("kind of") just before it. */
static double idioms_check(const struct text *x, double valence, size_t i)
{
	/* onezero, twoonezero, twoone, threetwoone, threetwo: first match wins */
	static const struct { size_t from, words; } before[] = { { 1, 2 }, { 2, 3 }, { 2, 2 }, { 3, 3 }, { 3, 2 } };
	bool done = false;

	for (size_t s = 0; s < 5 && !done; s++)
		for (size_t k = 0; k < sizeof(idioms) / sizeof(idioms[0]) && !done; k++)
			if (words_in(idioms[k].word) == before[s].words && spells(x, i - before[s].from, idioms[k].word)) {
				valence = idioms[k].value;
				done = true;
			}
	/* zeroone, then zeroonetwo */
	for (size_t words = 2; words <= 3; words++)
		if (i + words <= x->n)
			for (size_t k = 0; k < sizeof(idioms) / sizeof(idioms[0]); k++)
				if (words_in(idioms[k].word) == words && spells(x, i, idioms[k].word))
					valence = idioms[k].value;
	/* threetwoone, threetwo, twoone in the boosters */
	static const struct { size_t from, words; } grams[] = { { 3, 3 }, { 3, 2 }, { 2, 2 } };
	for (size_t s = 0; s < 3; s++)
		for (size_t k = 0; k < sizeof(boosters) / sizeof(boosters[0]); k++)
			if (words_in(boosters[k].word) == grams[s].words && spells(x, i - grams[s].from, boosters[k].word))
				valence += boosters[k].value;
	return valence;
}

/* Could an idiom or a two-word booster be around word i (i - 3 .. i + 2)? */
static bool near_phrase(const struct text *x, size_t i)
{
	for (size_t k = i - 3; k <= i + 2 && k < x->n; k++)
		if (x->t[k].phrase)
			return true;
	return false;
}

/* "least X" negates X, but not "at least" or "very least". */
static double least_check(const struct text *x, double valence, size_t i)
{
	if (i > 0 && !x->t[i - 1].in_lex && is(x, i - 1, "least")) {
		if (i == 1 || (!is(x, i - 2, "at") && !is(x, i - 2, "very")))
			valence *= N_SCALAR;
	}
	return valence;
}

static double sentiment_valence(const struct text *x, size_t i)
{
	const struct token *t = &x->t[i];
	double valence;

	if (!t->in_lex)
		return 0.0;
	valence = t->valence;
	/* "no" before a lexicon word negates that word and scores nothing itself */
	if (is(x, i, "no") && i + 1 < x->n && x->t[i + 1].in_lex)
		valence = 0.0;
	if ((i > 0 && is(x, i - 1, "no")) || (i > 1 && is(x, i - 2, "no")) ||
	    (i > 2 && is(x, i - 3, "no") && (is(x, i - 1, "or") || is(x, i - 1, "nor"))))
		valence = t->valence * N_SCALAR;
	if (t->upper && x->cap_diff)
		valence += valence > 0 ? C_INCR : -C_INCR;
	for (size_t back = 1; back <= 3; back++) {
		double s;

		if (i < back || x->t[i - back].in_lex)
			continue;
		s = scalar_inc_dec(x, i - back, valence);
		if (back == 2 && s != 0)
			s *= 0.95;
		if (back == 3 && s != 0)
			s *= 0.9;
		valence += s;
		valence = negation_check(x, valence, back, i);
		if (back == 3 && near_phrase(x, i))
			valence = idioms_check(x, valence, i);
	}
	return least_check(x, valence, i);
}

/* Before the first "but" half, after it one and a half.  The reference
 * finds each value's place with list.index (its first equal value), so
 * this does too: it only differs from "by position" when values repeat. */
static void but_check(const struct text *x, double *s)
{
	size_t bi;

	for (bi = 0; bi < x->n && !is(x, bi, "but"); bi++)
		;
	if (bi == x->n)
		return;
	for (size_t k = 0; k < x->n; k++) {
		double v = s[k];
		size_t si = 0;

		if (v == 0)
			continue;	/* 0 scaled is 0 wherever it is */
		while (s[si] != v)
			si++;
		if (si < bi)
			s[si] = v * 0.5;
		else if (si > bi)
			s[si] = v * 1.5;
	}
}

static double punctuation_emphasis(const char *text, size_t len)
{
	size_t ep = 0, qm = 0;
	double q = 0;

	for (size_t i = 0; i < len; i++) {
		ep += text[i] == '!';
		qm += text[i] == '?';
	}
	if (ep > 4)
		ep = 4;
	if (qm > 1)
		q = qm <= 3 ? (double)qm * 0.18 : 0.96;
	return (double)ep * 0.292 + q;
}

/* Python's round(v, digits): the nearest decimal, ties to even on the
 * exact binary value, which is what printf does too. */
static double round_to(double v, int digits)
{
	double scale = digits == 3 ? 1e3 : 1e4, y = v * scale, r = nearbyint(y);
	char buf[64];

	/* away from a tie, the nearest integer is sure and r / scale (exact
	 * operands, one rounding) is the double nearest the decimal */
	if (fabs(fabs(y - r) - 0.5) > 1e-6)
		return r / scale;
	(void)snprintf(buf, sizeof(buf), "%.*f", digits, v);
	return strtod(buf, NULL);
}

static void score(const struct text *x, double *s, const char *text, size_t len, struct vader_scores *out)
{
	double sum = 0, pos = 0, neg = 0, neu = 0, punct, compound, total;

	memset(out, 0, sizeof(*out));
	if (x->n == 0)
		return;
	for (size_t i = 0; i < x->n; i++)
		sum += s[i];
	punct = punctuation_emphasis(text, len);
	if (sum > 0)
		sum += punct;
	else if (sum < 0)
		sum -= punct;
	compound = sum / sqrt(sum * sum + 15);
	compound = compound < -1 ? -1 : compound > 1 ? 1 : compound;
	for (size_t i = 0; i < x->n; i++) {
		if (s[i] > 0)
			pos += s[i] + 1;
		if (s[i] < 0)
			neg += s[i] - 1;
		if (s[i] == 0)
			neu += 1;
	}
	if (pos > fabs(neg))
		pos += punct;
	else if (pos < fabs(neg))
		neg -= punct;
	total = pos + fabs(neg) + neu;
	out->compound = round_to(compound, 4);
	out->pos = round_to(fabs(pos / total), 3);
	out->neg = round_to(fabs(neg / total), 3);
	out->neu = round_to(fabs(neu / total), 3);
}

/* ---- UTF-8, case and tokens ---- */

/* The length of the UTF-8 sequence whose lead byte is c (the text is
 * checked first). */
static size_t seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Python's str.split() separators, as UTF-8: the length of the one at s, or 0. */
static size_t space_len(const unsigned char *s, size_t left)
{
	if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r') || (s[0] >= 0x1c && s[0] <= 0x1f))
		return 1;
	if (left >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (left < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) || (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3;
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3;
	return 0;
}

static bool is_punct(unsigned char c)
{
	return c < 0x80 && c > ' ' && c != 0x7f && !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
}

/* Lower-case ASCII and Latin-1 letters in place (same byte lengths); note
 * which tokens are ALL CAPS as Python's isupper() says (cased letters, none
 * lower-case; letters past Latin-1 count as uncased here). */
static void case_of(const unsigned char *s, size_t len, bool *has_upper, bool *has_lower)
{
	*has_upper = *has_lower = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			*has_upper = true;
		else if (s[i] >= 'a' && s[i] <= 'z')
			*has_lower = true;
		else if (s[i] == 0xc3 && i + 1 < len) {
			unsigned c = s[i + 1];

			if (c >= 0x80 && c <= 0x9e && c != 0x97)
				*has_upper = true;
			else if (c >= 0x9f && c <= 0xbf && c != 0xb7)
				*has_lower = true;
		}
	}
}

static void lower_latin1(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			s[i] = (char)(c | 0x20);
		else if (c == 0xc3 && i + 1 < len) {
			unsigned char d = (unsigned char)s[i + 1];

			if (d >= 0x80 && d <= 0x9e && d != 0x97)
				s[i + 1] = (char)(d + 0x20);
			i++;
		}
	}
}

static size_t chars_in(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

enum vader_result vader_score(const struct vader_lexicon *lex, const char *text, size_t len,
			      struct vader_scores *out)
{
	char low[VADER_TEXT_MAX];
	struct token tokens[VADER_TOKENS_MAX];
	double s[VADER_TOKENS_MAX];
	struct text x = { .low = low, .t = tokens };
	const unsigned char *u = (const unsigned char *)text;
	size_t i = 0, upper_tokens = 0;

	memset(out, 0, sizeof(*out));
	if (len > VADER_TEXT_MAX)
		return VADER_TOO_LONG;
	if (!nbpy_utf8_valid(text, len))
		return VADER_BAD_UTF8;
	memcpy(low, text, len);
	lower_latin1(low, len);
	/* whitespace-separated tokens; leading and trailing punctuation goes
	 * unless fewer than 3 characters would be left (":)", ":D" stay) */
	for (i = 0; i < len;) {
		size_t start, end, a, b, sp;
		bool up, lo;

		while (i < len && (sp = space_len(u + i, len - i)) > 0)
			i += sp;
		if (i >= len)
			break;
		start = i;
		while (i < len && space_len(u + i, len - i) == 0)
			i += seq_len(u[i]);
		end = i;
		if (x.n == VADER_TOKENS_MAX)
			return memset(out, 0, sizeof(*out)), VADER_TOO_LONG;
		for (a = start; a < end && is_punct(u[a]); a++)
			;
		for (b = end; b > a && is_punct(u[b - 1]); b--)
			;
		if (chars_in(text + a, b - a) <= 2)
			a = start, b = end;
		case_of(u + a, b - a, &up, &lo);
		tokens[x.n] = (struct token){ .off = (uint32_t)a, .len = (uint32_t)(b - a), .upper = up && !lo };
		if (b - a <= VADER_WORD_MAX) {
			const struct lex_entry *e = lex_slot(lex, low + a, b - a);

			if (e->word) {
				tokens[x.n].in_lex = e->in_lex;
				tokens[x.n].valence = e->valence;
				tokens[x.n].booster = e->booster;
				tokens[x.n].negated = e->negate;
				tokens[x.n].phrase = e->phrase;
			}
		}
		tokens[x.n].negated |= memmem(low + a, b - a, "n't", 3) != NULL;
		upper_tokens += tokens[x.n].upper;
		x.n++;
	}
	x.cap_diff = upper_tokens > 0 && upper_tokens < x.n;
	for (i = 0; i < x.n; i++) {
		if (tokens[i].booster != 0 || (i + 1 < x.n && is(&x, i, "kind") && is(&x, i + 1, "of")))
			s[i] = 0;
		else
			s[i] = sentiment_valence(&x, i);
	}
	but_check(&x, s);
	score(&x, s, text, len, out);
	return VADER_OK;
}
