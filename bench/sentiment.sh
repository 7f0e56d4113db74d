#!/usr/bin/env bash
# bench/sentiment.sh - posts scored per second: x.sentiment's C (VADER in
# workers/twitter/vader.c) against the Python reference (NLTK's VADER), side
# by side in one run on the same posts: the texts alone, and per stream line
# (C: x_post_parse, the kind's whole per-post work; Python: json.loads and
# polarity_scores).  The posts are tests/integration/x_sentiment_check.py's
# (the reference sentences and generated ones), repeated to N.  Before
# timing, the scores of both are compared post by post (compound always;
# pos/neu/neg where NLTK 3.8 keeps every token, docs/sentiment.md).  Not a test.
#
#   bench/sentiment.sh BUILD_DIR [N] [TRIALS] [LEXICON]
set -euo pipefail
B=$(cd "${1:?usage: bench/sentiment.sh BUILD_DIR [N] [TRIALS] [LEXICON]}" && pwd)
N=${2:-20000}
TRIALS=${3:-5}
LEXICON=${4:-/var/lib/nbpy/vader_lexicon.txt}
S=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3	# Debian's, with python3-nltk
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x "$B/bench/sentiment" ] || { echo "sentiment.sh: $B/bench/sentiment missing (make bench/sentiment)" >&2; exit 1; }
[ -f "$LEXICON" ] || { echo "sentiment.sh: no lexicon at $LEXICON (scripts/lib/vader_lexicon.sh)" >&2; exit 1; }

"$PY" "$S/tests/integration/x_sentiment_check.py" gen "$T/posts.json"
"$PY" - "$T/posts.json" "$N" >"$T/lines.jsonl" <<'PY'
import json, sys
posts = [p for b in json.load(open(sys.argv[1]))["batches"] for p in b
         if isinstance(p, dict) and len(p["data"]["text"]) <= 1120 and p["data"]["text"]]
n = int(sys.argv[2])
for i in range(n):
    print(json.dumps(posts[i % len(posts)]))
PY
head -n 400 "$T/lines.jsonl" >"$T/sample.jsonl"
"$B/bench/sentiment" dump "$LEXICON" "$T/sample.jsonl" 1 >"$T/c.dump"
"$PY" "$S/bench/sentiment_py.py" dump "$LEXICON" "$T/sample.jsonl" 1 >"$T/py.dump"
"$PY" - "$T/sample.jsonl" "$T/c.dump" "$T/py.dump" <<'PY'
import json, sys
texts = [json.loads(l)["data"]["text"] for l in open(sys.argv[1])]
c = [l.split() for l in open(sys.argv[2])]
p = [l.split() for l in open(sys.argv[3])]
bad = [t for t, x, y in zip(texts, c, p)
       if x[0] != y[0] or (not any(len(w) == 1 for w in t.split()) and x != y)]
if len(c) != len(p) or bad:
    sys.exit("sentiment.sh: C and NLTK disagree on %d posts, e.g. %r" % (len(bad), bad[:3]))
print("scores agree on %d posts (compound on all, pos/neu/neg where NLTK keeps every token)" % len(c))
PY

printf '| what | posts | C posts/s best (median) | Python posts/s best (median) | C / Python |\n|---|---:|---:|---:|---:|\n'
for mode in text line; do
	read -r _ n cb cm < <("$B/bench/sentiment" "$mode" "$LEXICON" "$T/lines.jsonl" "$TRIALS")
	read -r _ _ pb pm < <("$PY" "$S/bench/sentiment_py.py" "$mode" "$LEXICON" "$T/lines.jsonl" "$TRIALS")
	printf '| %s | %s | %s (%s) | %s (%s) | %.0fx |\n' \
		"$([ "$mode" = text ] && echo 'texts only' || echo 'per stream line (JSON + score)')" \
		"$n" "$cb" "$cm" "$pb" "$pm" "$(awk -v c="$cb" -v p="$pb" 'BEGIN { print c / p }')"
done
