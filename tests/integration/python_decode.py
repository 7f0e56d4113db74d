#!/usr/bin/python3
"""Python's msgpack against nbpy's codec, knowing only docs/wire-format.md.

usage: python_decode.py WIRE_FORMAT_MD WIRE_BY_NAME_TOOL

Field names, order and types come from the doc's tables, parsed here; the
values are chosen here, at random from the documented types (fixed seed).
nbpy encodes them by name (tests/tools/wire_by_name, whose name -> member map
is written by hand, not read from nbpy's field tables); Python unpacks the
bytes with msgpack, names the elements by the doc's order and compares with
what it chose, then checks the legacy frame against the doc's legacy table.
The other way round, Python packs messages as the doc says and nbpy must
decode them to the same named values.
"""
import datetime
import json
import random
import re
import subprocess
import sys

import msgpack

ROUNDS = 40          # messages per schema and direction
rng = random.Random(11)


def tables(path):
    """{heading: [rows]} of every markdown table, rows as lists of cells."""
    out, heading = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            out.setdefault(heading, []).append([c.strip() for c in line.strip("|").split("|")])
    return out


def ticks(text):
    return re.findall(r"`([^`]*)`", text)


def doc_type(text):
    """A documented type: ('str', max bytes), ('float64',), ('f64n',): float64
    or nil (undefined), ('int',), ('uint',), ('char',), ('levels', max)."""
    m = re.match(r"str \(?≤ (\d+)", text)
    if m:
        return ("str", int(m.group(1)))
    m = re.match(r"array \(≤ (\d+)\) of `\[price float64, volume float64, time_ns int\]`", text)
    if m:
        return ("levels", int(m.group(1)))
    if text.startswith("float64 or nil"):
        return ("f64n",)
    for t in ("float64", "char", "uint", "positive int", "int"):
        if text.startswith(t):
            return ("uint",) if t == "positive int" else (t,)
    raise SystemExit(f"wire-format.md: unknown type {text!r}")


def parse_doc(path):
    t = tables(path)
    header = [(r[1], doc_type(r[2])) for r in t["MessagePack payload"][1:] if r[0].isdigit()]
    assert [n for n, _ in header] == ["schema", "version", "service", "seq", "event_ns",
                                      "recv_delta_ns"], header
    schemas = {}
    for r in t["Schemas"][1:]:
        sid, name = int(r[0]), ticks(r[1])[0]
        detail = next(h for h in t if re.match(rf"{sid} `{name}`( |$)", h or ""))
        rows = t[detail][1:]
        assert [int(x[0]) for x in rows] == list(range(6, 6 + len(rows))), detail
        fields = [(x[1], doc_type(x[2]), x[3]) for x in rows]
        listed = re.sub(r"^S\d+: ", "", r[3])
        if "fields" not in listed:   # the summary lists them: it must agree
            assert listed.split(", ") == [f[0] for f in fields], (name, listed)
        schemas[sid] = {"name": name, "topic": ticks(r[2])[0], "fields": fields, "version": int(r[4])}
    by_name = {s["name"]: s for s in schemas.values()}
    for r in t["Legacy text"][1:]:
        s = by_name[r[0].strip("`")]
        assert ticks(r[1])[0] == s["topic"], r
        s["legacy"] = legacy_fields(r[2], [f[0] for f in s["fields"]])
    return header, schemas, spread_code(path)


def legacy_fields(text, body):
    """[(name, description)] of a legacy row; None: the Kraken Depth JSON."""
    if text.startswith("the Kraken Depth response JSON"):
        return None
    m = re.match(r"the (\d+) (?:fields of S\d+, as in the MessagePack body|body fields)(?:, then (.*))?$", text)
    if m:
        assert int(m.group(1)) == len(body), text
        return [(n, "") for n in body] + [(n, "") for n in (m.group(2) or "").split(", ") if n]
    out = []
    for part in re.findall(r"[a-z_0-9]+(?: \([^)]*\))?", text):
        name, _, desc = part.partition(" (")
        out.append((name, desc.rstrip(")")))
    return out


def spread_code(path):
    """The doc's Python block that derives the spreads."""
    text = open(path, encoding="utf-8").read()
    return re.search(r"```python\n(spread .*?)```", text, re.S).group(1)


# ---- values chosen by the test ----

POOL = "abcXYZ019_.-/ \"é✓"


def pick_str(limit):
    budget = rng.choice([0, limit, rng.randint(0, limit)])
    s = ""
    while True:
        c = rng.choice(POOL)
        if len((s + c).encode()) > budget:
            return s
        s += c


def pick_float():
    kind = rng.randrange(4)
    if kind == 0:
        return round(rng.uniform(0, 10000), rng.randint(0, 8))
    if kind == 1:
        return round(rng.uniform(-2, 2), rng.randint(1, 9))
    if kind == 2:
        return rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 20)
    return float(rng.randint(-10**6, 10**6))


def pick_int(lo=-2**63, hi=2**63 - 1):
    bits = rng.choice([4, 7, 8, 15, 16, 31, 32, 63, 64])
    return max(lo, min(hi, rng.randint(-2**bits, 2**bits)))


def pick(t, unit, used):
    """A value of documented type t, distinct from the others of its message."""
    while True:
        if t[0] == "str":
            v = pick_str(t[1])
        elif t[0] == "float64":
            v = pick_float()
        elif t[0] == "f64n":
            if rng.randrange(3) == 0:
                return None     # undefined: nil on the wire, empty in legacy text
            v = pick_float()
        elif t[0] == "int":
            v = pick_int()
        elif t[0] == "uint":
            v = pick_int(0, 2**64 - 1)
        elif t[0] == "char":
            v = rng.choice(ticks(unit) or ["x", "Y", "7"])
            return v
        else:
            v = [[pick_float(), pick_float(), rng.randint(0, 2**32) * 10**9]
                 for _ in range(rng.choice([0, 1, 3, t[1]]))]
            return v
        if repr(v) not in used:
            used.add(repr(v))
            return v


def choose(header, schema):
    used = set()
    h = {"service": pick(("str", 63), "", used), "seq": pick(("uint",), "", used),
         "event_ns": rng.randint(978307200, 2114380800) * 10**9 + rng.randrange(10**9),
         "recv_delta_ns": rng.randint(-10**9, 10**10)}
    assert set(h) == {n for n, _ in header[2:]}
    return h, {name: pick(t, unit, used) for name, t, unit in schema["fields"]}


# ---- checks ----

class Check:
    def __init__(self):
        self.failures = 0

    def eq(self, what, got, want):
        if got != want or type(got) is not type(want):
            self.failures += 1
            if self.failures <= 20:
                print(f"  FAIL {what}: got {got!r}, want {want!r}")


def rfc3339_ns(text):
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$", text)
    if not m:
        return text
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + int((m.group(2) or "0").ljust(9, "0"))


def legacy_text(value, t):
    if value is None:
        return ""
    return repr(value) if t in (("float64",), ("f64n",)) else str(value)


def check_legacy(ck, where, schema, h, body, frame, spreads):
    topic, _, payload = frame.decode("utf-8").partition(" ")
    ck.eq(where + " topic", topic, schema["topic"])
    if schema["legacy"] is None:   # the Kraken Depth JSON
        book = json.loads(payload)
        ck.eq(where + " error", book.get("error"), [])
        pair = book.get("result", {}).get(body["instrument"], {})
        for side in ("bids", "asks"):
            ck.eq(where + " " + side, [[float(p), float(v), ts] for p, v, ts in pair.get(side, [])],
                  [[p, v, t // 10**9] for p, v, t in body[side]])
        return
    types = {n: t for n, t, _ in schema["fields"]}
    got = payload.split("\x01")
    ck.eq(where + " field count", len(got), len(schema["legacy"]))
    for (name, desc), text in zip(schema["legacy"], got):
        w = f"{where} legacy {name}"
        if name in body:
            ck.eq(w, text, legacy_text(body[name], types[name]))
        elif name in spreads:
            ck.eq(w, text, repr(spreads[name]))
        elif desc.startswith("RFC 3339"):
            ck.eq(w, rfc3339_ns(text), h["event_ns"] + (h["recv_delta_ns"] if name == "now" else 0))
        elif desc == "seconds with 9 decimals":
            ck.eq(w, text, f"{h['event_ns'] // 10**9}.{h['event_ns'] % 10**9:09d}")
        elif desc == "ms":
            ck.eq(w, text, str(h["event_ns"] // 10**6))
        elif desc == "seconds":
            ck.eq(w, text, repr(h["recv_delta_ns"] / 1e9))
        elif desc.startswith("`YYYY-MM-DDTHH:MM:SS`"):
            t = datetime.datetime.fromtimestamp(h["event_ns"] // 10**9, datetime.timezone.utc)
            ck.eq(w, text, t.strftime("%Y-%m-%dT%H:%M:%S"))
        else:
            ck.eq(w + " (not understood from the doc)", desc, None)


def derive(code, body):
    """The spreads as the doc's Python computes them, for the schemas that have them."""
    if "bid_t1" not in body:
        return {}
    src = {k: body.get("eurusd_" + k, body[k]) for k in ("bid_t0", "ask_t0", "bid_t1", "ask_t1")}
    exec(code, {}, src)
    return {k: src[k] for k in ("spread", "spread_t_bid", "spread_t_ask")}


def main():
    header, schemas, code = parse_doc(sys.argv[1])
    messages = [(sid, *choose(header, schemas[sid])) for sid in sorted(schemas) for _ in range(ROUNDS)]
    packed = [msgpack.packb([sid, schemas[sid]["version"]] + [h[n] for n, _ in header[2:]] +
                            [b[n] for n, _, _ in schemas[sid]["fields"]], use_bin_type=True)
              for sid, h, b in messages]
    requests = [{"schema": sid, "header": h, "body": b} for sid, h, b in messages]
    requests += [{"decode": p.hex()} for p in packed]
    answer = subprocess.run([sys.argv[2]], input="".join(json.dumps(r) + "\n" for r in requests),
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(answer) == len(requests), (len(answer), len(requests))
    encoded, decoded = answer[:len(messages)], answer[len(messages):]

    ck = Check()
    for sid in sorted(schemas):
        before = ck.failures
        for k, (msid, h, body) in enumerate(messages):
            if msid != sid:
                continue
            s, where = schemas[sid], f"{schemas[sid]['name']} #{k}"
            enc, dec = json.loads(encoded[k]), json.loads(decoded[k])
            ck.eq(where + " encode error", enc.get("error"), None)
            ck.eq(where + " decode error", dec.get("error"), None)
            if "error" in enc or "error" in dec:
                continue
            a = msgpack.unpackb(bytes.fromhex(enc["msgpack"]), raw=False)
            ck.eq(where + " elements", len(a), len(header) + len(s["fields"]))
            ck.eq(where + " schema", a[0], sid)
            ck.eq(where + " version", a[1], s["version"])
            for i, (name, _) in enumerate(header[2:], 2):
                ck.eq(f"{where} {name}", a[i], h[name])
            for (name, _, _), got in zip(s["fields"], a[len(header):]):
                ck.eq(f"{where} {name}", got, body[name])
            check_legacy(ck, where, s, h, body, bytes.fromhex(enc["legacy"]), derive(code, body))
            # the other way: nbpy decodes what Python packed as the doc says
            ck.eq(where + " decoded schema", dec["schema"], sid)
            ck.eq(where + " decoded header", dec["header"], h)
            ck.eq(where + " decoded body", dec["body"], body)
        n = sum(1 for m in messages if m[0] == sid)
        print(("ok   " if ck.failures == before else "FAIL ") + f"{schemas[sid]['name']}: {n} messages "
              f"each way, {len(schemas[sid]['fields'])} fields by the doc")
    ck.eq("schemas in the doc", len(schemas), 17)
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
