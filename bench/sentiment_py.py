#!/usr/bin/python3
"""The Python reference side of bench/sentiment.sh: NLTK's VADER (Debian's
python3-nltk) on the same lines, text only or json.loads + score per line.

    sentiment_py.py text|line|dump LEXICON FILE TRIALS
"""
import json
import statistics
import sys
import time

from nltk.sentiment.vader import SentimentIntensityAnalyzer, VaderConstants

mode, lexicon, path, trials = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
a = SentimentIntensityAnalyzer.__new__(SentimentIntensityAnalyzer)
with open(lexicon, encoding="utf-8") as f:
    a.lexicon_file = f.read().rstrip("\n")  # NLTK 3.8 fails on a trailing empty line
a.lexicon = a.make_lex_dict()
a.constants = VaderConstants()
with open(path, encoding="utf-8") as f:
    lines = [line.rstrip("\n") for line in f]
texts = [json.loads(line)["data"]["text"] for line in lines]
if mode == "dump":
    for t in texts:
        s = a.polarity_scores(t)
        print("%.4f %.3f %.3f %.3f" % (s["compound"], s["neg"], s["neu"], s["pos"]))
    sys.exit(0)
rates = []
for _ in range(trials):
    t0 = time.perf_counter()
    if mode == "text":
        for t in texts:
            a.polarity_scores(t)
    else:
        for line in lines:
            a.polarity_scores(json.loads(line)["data"]["text"])
    rates.append(len(lines) / (time.perf_counter() - t0))
print(mode, len(lines), "%.0f" % max(rates), "%.0f" % statistics.median(rates))
