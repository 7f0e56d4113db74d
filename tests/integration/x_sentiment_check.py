#!/usr/bin/python3
"""Checks for tests/integration/x_sentiment.sh (kind x.sentiment).

    x_sentiment_check.py gen POSTS            the fake's posts and rules
    x_sentiment_check.py valid POSTS          how many of the fake's posts are to be published
    x_sentiment_check.py collect EP OUT       what the service publishes, one JSON line each
    x_sentiment_check.py count OUT            how many posts arrived
    x_sentiment_check.py posts POSTS OUT LEXICON   every valid post published once, fields as the
                                              fake sent them, scores as NLTK's VADER gives them
    x_sentiment_check.py rules LOG            the rules sync: stale deleted, missing added
    x_sentiment_check.py backoff LOG          the reconnect delays, from the fake's timestamps
    x_sentiment_check.py sqlite DB OUT        the SQLite rows are exactly what was published
    x_sentiment_check.py pgsql ROWS OUT       the same for PostgreSQL (psql -At -F '|' rows)
    x_sentiment_check.py influx URL DB OUT    the same for InfluxDB's measurement crypto

Expected scores come from the Python reference (nltk.sentiment.vader, Debian's
python3-nltk, given the same lexicon file), never from nbpy.  NLTK 3.8 drops
tokens of one character, which changes pos/neu/neg (not compound) of a text
that has them (docs/sentiment.md): for those only compound is compared.  The
generated sentences avoid the few rules where NLTK 3.8 and vaderSentiment
3.3.2 differ (listed in gen_sentence).
"""
import calendar
import json
import os
import random
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oanda_transactions_check import collect  # noqa: E402  (the same collector)

REFERENCE = [
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.", "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.", "The book was good.", "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.", "Today SUX!",
    "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!", "Not bad at all",
    "Sentiment analysis has never been good.", "At least it isn't a horrible book.",
    "I hate this market, crypto is a scam", "Crypto is a scam and a bubble", "ETH looks great today!!",
    "not bad, not great", "the shit", "VADER sentiment analysis is the shit.", "",
]
# compound from the reference doc (next-capabilities.md 1.7), checked too
REFERENCE_COMPOUND = {"VADER is smart, handsome, and funny.": 0.8316, "Today SUX!": -0.5461,
                      "Today only kinda sux! But I'll get by, lol": 0.5249, "not bad, not great": 0.6754}
POSITIVE = ["good", "great", "happy", "love", "nice", "excellent", "amazing", "wonderful", "awesome", "win",
            "strong", "best", "glad", "fun", "hope", "gains", "safe", "support", "perfect"]
NEGATIVE = ["bad", "terrible", "hate", "awful", "scam", "crash", "loss", "fear", "panic", "ugly", "weak",
            "worried", "angry", "sad", "worst", "risk", "lost", "fail", "dump"]
NEUTRAL = ["market", "price", "chart", "today", "bitcoin", "ethereum", "crypto", "looks", "seems", "the",
           "trend", "week", "coin", "token", "volume", "is", "was", "feels", "traders"]
BOOSTERS = ["very", "really", "extremely", "totally", "slightly", "somewhat", "kinda", "sorta", "hardly",
            "barely", "quite", "absolutely", "incredibly"]
NEGATORS = ["not", "never", "isn't", "don't", "cannot", "nothing", "rarely"]
RULES_CONFIG = [("btc", "bitcoin OR btc"), ("eth", "ethereum lang:en")]
RULES_HELD = [{"id": "111", "value": "old rule", "tag": "old"},
              {"id": "222", "value": "bitcoin OR btc", "tag": "btc"}]


def gen_sentence(rng):
    """A sentence both references score alike: no word twice (NLTK 3.8 finds a word's place with
    list.index), no one-character word, no "no", "so", "this", "without", no idioms, only boosters
    both lists have, one punctuation mark of NLTK's list and only after words of 3 or more
    characters (3.3.2 keeps "is!" whole, NLTK strips it), "kind of" never capitalised or last."""
    words, used = [], set()
    for _ in range(rng.randint(3, 9)):
        pool = rng.choice([POSITIVE, NEGATIVE, NEUTRAL, NEUTRAL, BOOSTERS, NEGATORS])
        w = rng.choice(pool)
        if w in used:
            continue
        used.add(w)
        if rng.random() < 0.15 and pool is not NEGATORS:
            w = w.upper()
        if rng.random() < 0.1 and len(w) > 2:
            w += ","
        words.append(w)
    if rng.random() < 0.25 and len(words) > 2:
        words.insert(rng.randint(1, len(words) - 1), "but")
    if rng.random() < 0.1 and "kind" not in used and words:
        words.insert(rng.randint(0, len(words) - 1), "kind of")
    end = rng.choice(["", "", ".", "!", "!!", "!!!", "?", "??", "???"])
    if len(words[-1]) < 3 or words[-1].endswith(","):
        end = ""  # NLTK and 3.3.2 strip "is!" and "sad,." differently
    return " ".join(words) + end


def post(i, text, rng):
    pid = str(1790000000000000000 + i)
    p = {"data": {"id": pid, "text": text, "created_at": "2024-01-15T10:%02d:%02d.%03dZ" % (i // 60 % 60, i % 60, i % 1000),
                  "lang": rng.choice(["en", "und", "en-GB"]), "author_id": str(9000 + i % 7),
                  "public_metrics": {"retweet_count" if i % 2 else "repost_count": i % 5},
                  "edit_history_tweet_ids": [pid]},
         "includes": {"users": [{"id": str(9000 + i % 7), "username": "user%d" % (i % 7),
                                 "location": "" if i % 3 else "London",
                                 "public_metrics": {"followers_count": 100 + i % 7,
                                                    "tweet_count" if i % 2 else "post_count": 5000 + i % 7}}]},
         "matching_rules": [{"id": "222", "tag": "btc"}] + ([{"id": "901", "tag": "eth"}] if i % 4 == 0 else [])}
    if i % 5 == 1:  # an exact point [lon, lat]; the Wikipedia geohash example
        p["data"]["geo"] = {"coordinates": {"type": "Point", "coordinates": [10.40744, 57.64911]}}
    elif i % 5 == 2:  # a place: the centre of its box
        p["data"]["geo"] = {"place_id": "01a9a39529b27f36"}
        p["includes"]["places"] = [{"id": "01a9a39529b27f36", "full_name": "Manhattan, NY",
                                    "geo": {"type": "Feature", "bbox": [-74.03, 40.68, -73.91, 40.88], "properties": {}}}]
    return p


def gen(path):
    rng = random.Random(16)
    texts = list(REFERENCE) + [gen_sentence(rng) for _ in range(320)]
    posts = [post(i, t, rng) for i, t in enumerate(texts)]
    bad = ["not json at all", '{"data":{"id":"77","text":"no time"}}', '{"data":{"id":"1x","text":"a",'
           '"created_at":"2024-01-15T10:35:00.000Z"}}', '{"data": {"id": "78"', "\udcff\udcfe {}",
           '{"data":[1,2]}']
    huge = post(9999, "good " * 300, rng)  # 1,500 bytes: over the 1,120 a post can have
    batches = [posts[:len(REFERENCE)] + bad + [huge], posts[len(REFERENCE):180], posts[180:]]
    with open(path, "w") as f:
        json.dump({"rules": RULES_HELD, "batches": batches}, f)


FIELDS = ["id", "lang", "time_zone", "geohash", "user", "author_id", "followers", "statuses", "retweets",
          "compound", "pos", "neu", "neg", "location", "place", "lat", "lon", "rules", "text"]


def load_got(path):
    got = []
    with open(path) as f:
        for line in f:
            m = json.loads(line)
            if m[1] != 9:
                raise SystemExit("not a sentiment message: %s" % line)
            if m[2] != 2:
                raise SystemExit("sentiment version %s, expected 2" % m[2])
            got.append(dict(zip(["topic", "schema", "version", "service", "seq", "event_ns", "recv_delta"] + FIELDS, m)))
    return got


def geohash(lat, lon, n=12):
    """Geohash by its definition (bits alternate, longitude first), written here apart."""
    chars, bits, lo, hi = "", [], [-180.0, -90.0], [180.0, 90.0]
    for k in range(n * 5):
        axis = k % 2
        v = (lon, lat)[axis]
        mid = (lo[axis] + hi[axis]) / 2
        bits.append(1 if v >= mid else 0)
        if v >= mid:
            lo[axis] = mid
        else:
            hi[axis] = mid
    for k in range(0, len(bits), 5):
        chars += "0123456789bcdefghjkmnpqrstuvwxyz"[int("".join(map(str, bits[k:k + 5])), 2)]
    return chars


def analyzer(path):
    from nltk.sentiment.vader import SentimentIntensityAnalyzer, VaderConstants
    a = SentimentIntensityAnalyzer.__new__(SentimentIntensityAnalyzer)
    with open(path, encoding="utf-8") as f:
        a.lexicon_file = f.read().rstrip("\n")  # NLTK 3.8 fails on a trailing empty line
    a.lexicon = a.make_lex_dict()
    a.constants = VaderConstants()
    return a


def rfc3339_ns(s):
    whole, frac = s.rstrip("Z").split(".")
    return calendar.timegm(tuple(map(int, whole.replace("T", "-").replace(":", "-").split("-"))) + (0, 0, 0)) \
        * 10**9 + int(frac.ljust(9, "0"))


def valid_posts(posts_path):
    """The fake's posts that x.sentiment publishes: not the malformed lines, not the too-long one."""
    with open(posts_path) as f:
        batches = json.load(f)["batches"]
    return [p for b in batches for p in b if isinstance(p, dict) and len(p["data"]["text"]) <= 1120]


def check_posts(posts_path, got_path, lexicon):
    want = valid_posts(posts_path)
    got = load_got(got_path)
    vader = analyzer(lexicon)
    fails, pn_skipped = [], 0
    if [g["id"] for g in got] != [p["data"]["id"] for p in want]:
        fails.append("published ids %d, expected %d in the fake's order" % (len(got), len(want)))
    for g, p in zip(got, want):
        d, inc = p["data"], p["includes"]
        user = inc["users"][0]
        um = user["public_metrics"]
        exp = {"id": d["id"], "lang": d["lang"], "time_zone": "", "user": user["username"],
               "author_id": d["author_id"], "followers": um["followers_count"],
               "statuses": um.get("tweet_count", um.get("post_count")),
               "retweets": d["public_metrics"].get("retweet_count", d["public_metrics"].get("repost_count")),
               "location": user["location"], "text": d["text"],
               "rules": ",".join(r["tag"] for r in p["matching_rules"])}
        exp["place"], exp["lat"], exp["lon"], exp["geohash"] = "", None, None, ""
        if "coordinates" in d.get("geo", {}):
            exp["lon"], exp["lat"] = d["geo"]["coordinates"]["coordinates"]
        elif "place_id" in d.get("geo", {}):
            pl = inc["places"][0]
            w, s, e, n = pl["geo"]["bbox"]
            exp["place"], exp["lat"], exp["lon"] = pl["full_name"], (s + n) / 2, (w + e) / 2
        if exp["lat"] is not None:
            exp["geohash"] = geohash(exp["lat"], exp["lon"])
        for k, v in exp.items():
            if g[k] != v and not (isinstance(v, float) and isinstance(g[k], float) and abs(g[k] - v) < 1e-9):
                fails.append("%s: %s %r, the fake sent %r" % (d["id"], k, g[k], v))
        if g["event_ns"] != rfc3339_ns(d["created_at"]):
            fails.append("%s: event_ns %d, created_at %s" % (d["id"], g["event_ns"], d["created_at"]))
        ref = vader.polarity_scores(d["text"])
        if abs(g["compound"] - ref["compound"]) > 1e-9:
            fails.append("%r: compound %.4f, NLTK %.4f" % (d["text"], g["compound"], ref["compound"]))
        if any(len(t) == 1 for t in d["text"].split()):
            pn_skipped += 1
        elif any(abs(g[k] - ref[k]) > 1e-9 for k in ("pos", "neu", "neg")):
            fails.append("%r: neg/neu/pos %s/%s/%s, NLTK %s/%s/%s" % (d["text"], g["neg"], g["neu"], g["pos"],
                                                                      ref["neg"], ref["neu"], ref["pos"]))
        if d["text"] in REFERENCE_COMPOUND and abs(g["compound"] - REFERENCE_COMPOUND[d["text"]]) > 1e-9:
            fails.append("%r: compound %.4f, the reference doc %.4f" % (d["text"], g["compound"],
                                                                         REFERENCE_COMPOUND[d["text"]]))
    if geohash(57.64911, 10.40744, 11) != "u4pruydqqvj":
        fails.append("the checker's geohash is wrong")
    scored = sum(1 for p in want if p["data"]["text"].strip())
    for f in fails[:20]:
        print(f)
    print("%d posts checked (%d with text), %d fail; pos/neu/neg not compared for %d with one-character words"
          % (len(got), scored, len(fails), pn_skipped))
    return 1 if fails else 0


def events(log_path):
    with open(log_path) as f:
        return [json.loads(line) for line in f]


def check_rules(log_path):
    ev = [e for e in events(log_path) if e["ev"] in ("rules_get", "rules_post")]
    want = [("rules_get", None), ("rules_post", {"delete": {"ids": ["111"]}}),
            ("rules_post", {"add": [{"value": "ethereum lang:en", "tag": "eth"}]})]
    got = [(e["ev"], e.get("body")) for e in ev]
    print("rules requests:", json.dumps(got))
    return 0 if got == want else 1


def check_backoff(log_path):
    """The gap from each answer's end to the next connect, against X's schedules with the test's
    bases (retry_network 500ms, retry_http 200ms, retry_rate_limited 300ms, idle_timeout 1s); each
    delay within -20 ms and +250 ms (a loaded machine), so "at once" is told from one step."""
    ev = events(log_path)
    connect = {e["n"]: e["t"] for e in ev if e["ev"] == "connect"}
    answer = {e["n"]: e["t"] for e in ev if e["ev"] == "answer"}
    expect = {1: (1.0, "a stall: the idle watchdog (1 s), then at once"), 2: (0.2, "503: retry_http"),
              3: (0.4, "503 again: doubled"), 4: (0.3, "429: retry_rate_limited"), 5: (0.6, "429 again: doubled"),
              6: (0.0, "the stream ended after a 2xx: at once"), 7: (0.5, "network error: retry_network"),
              8: (1.0, "network error again: twice retry_network")}
    rc = 0
    for n, (want, what) in sorted(expect.items()):
        if n not in answer or n + 1 not in connect:
            print("FAIL connection %d or %d missing" % (n, n + 1))
            rc = 1
            continue
        gap = connect[n + 1] - answer[n]
        ok = want - 0.02 <= gap <= want + 0.25
        print("%s after connection %d (%s): %.3f s, expected %.3f s" % ("ok  " if ok else "FAIL", n, what, gap, want))
        rc |= 0 if ok else 1
    q = ev[[e["ev"] for e in ev].index("connect")]["query"]
    for k, v in [("tweet.fields", "created_at,lang,geo,author_id,public_metrics"),
                 ("expansions", "author_id,geo.place_id")]:
        if q.get(k) != v:
            print("FAIL stream query %s=%r, expected %r" % (k, q.get(k), v))
            rc = 1
    return rc


def check_sqlite(db, got_path):
    got = load_got(got_path)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT source, seq, tweet_id, user_name, author_id, compound_score, pos_score, neu_score,"
                       " neg_score, latitude, longitude, rule_tags, tweet_text FROM twitter_tweets ORDER BY seq").fetchall()
    want = [(g["service"], g["seq"], g["id"], g["user"], g["author_id"], g["compound"], g["pos"], g["neu"], g["neg"],
             g["lat"], g["lon"], g["rules"], g["text"]) for g in got]
    if rows != want:
        print("sqlite: %d rows, %d published; first difference: %s" % (
            len(rows), len(want), next(((r, w) for r, w in zip(rows, want) if r != w), None)))
        return 1
    print("sqlite: %d rows, exactly what was published" % len(rows))
    return 0


def store_key(g):
    """What every store keeps of a published message, to compare."""
    return (g["id"], g["event_ns"] // 1000, g["user"], g["compound"], g["pos"], g["neu"], g["neg"], g["lat"],
            g["lon"], g["rules"])


def compare(store, rows, got_path):
    want = sorted(store_key(g) for g in load_got(got_path))
    rows = sorted(rows, key=lambda r: r[0])
    if rows != want:
        print("%s: %d rows, %d published; first difference: %s" % (
            store, len(rows), len(want), next(((r, w) for r, w in zip(rows, want) if r != w), None)))
        return 1
    print("%s: %d rows, exactly what was published" % (store, len(rows)))
    return 0


def check_pgsql(rows_path, got_path):
    def num(v):
        return None if v == "" else float(v)
    rows = []
    with open(rows_path) as f:
        for line in f:
            r = line.rstrip("\n").split("|")
            rows.append((r[0], int(r[1]), r[2], *map(num, r[3:9]), r[9]))
    return compare("pgsql", rows, got_path)


def check_influx(url, db, got_path):
    import urllib.parse
    import urllib.request
    q = urllib.parse.urlencode({"db": db, "epoch": "ns", "q": 'SELECT "id", "user", "compound_score", "pos_score",'
                                ' "neu_score", "neg_score", "latitude", "longitude", "rules" FROM "crypto"'})
    res = json.load(urllib.request.urlopen(url + "/query?" + q, timeout=5))["results"][0]
    rows = []
    for series in res.get("series", []):
        for v in series["values"]:
            t, pid, user, c, p, u, n, lat, lon, rules = v
            rows.append((pid, t // 1000, user, c, p, u, n, lat, lon, rules or ""))
    return compare("influxdb", rows, got_path)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2])
    elif cmd == "valid":
        print(len(valid_posts(sys.argv[2])))
    elif cmd == "collect":
        collect(sys.argv[2], sys.argv[3])
    elif cmd == "count":
        print(len(load_got(sys.argv[2])))
    elif cmd == "posts":
        sys.exit(check_posts(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif cmd == "rules":
        sys.exit(check_rules(sys.argv[2]))
    elif cmd == "backoff":
        sys.exit(check_backoff(sys.argv[2]))
    elif cmd == "sqlite":
        sys.exit(check_sqlite(sys.argv[2], sys.argv[3]))
    elif cmd == "pgsql":
        sys.exit(check_pgsql(sys.argv[2], sys.argv[3]))
    elif cmd == "influx":
        sys.exit(check_influx(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit("unknown command " + cmd)
