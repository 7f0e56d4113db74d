#!/usr/bin/env bash
# scripts/lib/vader_lexicon.sh [DEST] - fetch VADER's lexicon for x.sentiment.
#
# The lexicon (MIT, C.J. Hutto) is data, not code of this repository: it is
# taken at install time from the npm package vader-sentiment 1.1.3
# (vaderSentiment-js, Apache-2.0, Comcast), whose tarball and lexicon are
# pinned by sha256 below.  DEST defaults to /var/lib/nbpy/vader_lexicon.txt,
# the `lexicon` key's default (docs/sentiment.md).  Nothing is fetched when
# DEST already holds the pinned file.  Needs curl, tar and sha256sum.
set -euo pipefail

DEST=${1:-/var/lib/nbpy/vader_lexicon.txt}
URL=https://registry.npmjs.org/vader-sentiment/-/vader-sentiment-1.1.3.tgz
TGZ_SHA256=de3c50aee6ffe2bc7929f50a69b0a3905d7b63f6fb103c2397517aff799851d2
LEXICON_SHA256=ffb6117bfccf798a34e91d72f50604329946e6fd763668092618d5c5b340a298

sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DEST" ] && [ "$(sha "$DEST")" = "$LEXICON_SHA256" ]; then
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! curl -fsSL --retry 3 --max-time 120 -o "$tmp/vader.tgz" "$URL"; then
	echo "vader_lexicon.sh: cannot download $URL" >&2
	exit 1
fi
if [ "$(sha "$tmp/vader.tgz")" != "$TGZ_SHA256" ]; then
	echo "vader_lexicon.sh: $URL: sha256 $(sha "$tmp/vader.tgz"), expected $TGZ_SHA256" >&2
	exit 1
fi
tar -xzf "$tmp/vader.tgz" -C "$tmp" package/vader_lexicon.txt
if [ "$(sha "$tmp/package/vader_lexicon.txt")" != "$LEXICON_SHA256" ]; then
	echo "vader_lexicon.sh: vader_lexicon.txt in $URL is not the pinned one" >&2
	exit 1
fi
mkdir -p "$(dirname "$DEST")"
install -m 0644 "$tmp/package/vader_lexicon.txt" "$DEST.tmp"
mv -f "$DEST.tmp" "$DEST"
echo "vader_lexicon.sh: $DEST"
