#!/usr/bin/python3
"""replay_modes.py - the data of replay_modes.sh, written and checked from the
documents alone (docs/services.md's capture format, docs/wire-format.md's
MessagePack layout and legacy text), not from nbpy's code.

  replay_modes.py gen-loop PATH        10 EURUSD ticks of kraken_EURUSD, seq
                                       1..5 and 7..11 (one lost), 100 ms apart
  replay_modes.py gen-legacy PATH      one message of each Kraken schema
  replay_modes.py collect EP N SECS OUT  every frame a SUB at EP receives (hex,
                                       frames joined by '|') until N data
                                       messages and then SECS more, or 15 s
  replay_modes.py check-loop CAP GOT   GOT is CAP's records over and over
  replay_modes.py check-legacy GOT     GOT is the legacy text of gen-legacy
  replay_modes.py gaps CAP             the losses a subscriber counts in the
                                       sequence numbers of a capture's records
"""
import io
import struct
import sys
import time

import msgpack

T0 = 1538079543817645123      # docs/wire-format.md's example time
EURUSD_SAMPLE = (b"kr_eurusd_tick XZECZUSD\x011.15956\x011.17441\x01XETHZEUR\x01"
                 b"1.16386\x011.16688\x010.00302\x010.01055\x010.00732")  # the doc's legacy example


def crc32c(b):
    c = 0xffffffff
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
    return c ^ 0xffffffff


def write_capture(path, records):
    """records: (recv_ns, topic bytes, payload bytes)."""
    out = bytearray(b"NBPYCAP2")
    for t, topic, payload in records:
        body = struct.pack("<qB", t, len(topic)) + topic + payload
        out += struct.pack("<II", len(body), crc32c(body)) + body
    open(path, "wb").write(out)


def read_capture(path):
    data, pos, out = open(path, "rb").read(), 8, []
    assert data[:8] == b"NBPYCAP2", path
    while pos + 8 <= len(data):
        length, crc = struct.unpack_from("<II", data, pos)
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length or crc32c(body) != crc:
            break
        tn = body[8]
        out.append((body[9:9 + tn], body[9 + tn:]))
        pos += 8 + length
    return out


def eurusd(seq, i):
    """The doc's example tick, moved a little per i."""
    return [4, 1, "kraken_EURUSD", seq, T0 + i * 100_000_000, 150000,
            "XZECZUSD", round(1.15956 + i * 1e-5, 5), round(1.17441 + i * 1e-5, 5),
            "XETHZEUR", round(1.16386 + i * 1e-5, 5), round(1.16688 + i * 1e-5, 5)]


LOOP_SEQS = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]


def gen_loop(path):
    write_capture(path, [(T0 + i * 100_000_000, b"kr_eurusd_tick", msgpack.packb(eurusd(seq, i)))
                         for i, seq in enumerate(LOOP_SEQS)])


# kraken_ticker body, in the doc's order (S1)
TICKER = ["XXBTZEUR", 27700.2, 1, 1.0, 27700.0, 2, 2.0, 27701.0, 0.01, 1234.5, 1234.5,
          27700.2, 27700.0, 12345, 12346, 27700.0, 27699.5, 27710.25, 27710.25, 0.0001]
# trade body: instrument, price, volume, side, order_type, misc, trade_id
TRADE = ["XETHZUSD", 30243.4, 0.34507674, "s", "l", "", 1001]
TRADE_NS = 1688669597_123456789


def legacy_records():
    return [
        (b"kr_eurusd_tick", [4, 1, "kraken_EURUSD", 1234567, T0, 150000, "XZECZUSD", 1.15956, 1.17441,
                             "XETHZEUR", 1.16386, 1.16688]),
        (b"kraken_tick", [1, 1, "kraken_tick", 7, T0, 0] + TICKER),
        (b"kr_trade", [3, 1, "kraken_orders", 9, TRADE_NS, 5000] + TRADE),
    ]


def gen_legacy(path):
    write_capture(path, [(T0 + i, topic, msgpack.packb(m)) for i, (topic, m) in enumerate(legacy_records())])


def text(v):
    return str(v)     # Python's str(): the legacy number format itself


def legacy_expected():
    out = []
    for topic, m in legacy_records():
        body = m[6:]
        if m[0] == 4:
            i0, b0, a0, i1, b1, a1 = body
            fields = body + [round(a1 - b1, 5), round(a0 - b1, 5), round(a1 - b0, 5)]
        elif m[0] == 3:
            inst, price, vol, side, otype, misc, tid = body
            fields = [inst, price, vol, "%d.%09d" % divmod(m[4], 10 ** 9), side, otype, misc, tid]
        else:
            fields = body
        out.append(topic + b" " + b"\x01".join(text(f).encode() for f in fields))
    assert out[0] == EURUSD_SAMPLE, out[0]
    return out


def collect(ep, n, secs, out):
    import zmq
    s = zmq.Context().socket(zmq.SUB)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(ep)
    end, data, lines = time.time() + 15, 0, []
    while time.time() < end:
        if s.poll(50):
            frames = s.recv_multipart()
            lines.append("|".join(f.hex() for f in frames))
            if not (len(frames) == 2 and next(msgpack.Unpacker(io.BytesIO(frames[1])))[0] == 0):
                data += 1
                if data == n:
                    end = min(end, time.time() + secs)
    open(out, "w").write("".join(l + "\n" for l in lines))


def frames_of(path):
    return [[bytes.fromhex(f) for f in l.split("|")] for l in open(path).read().split()]


def check_loop(cap, got):
    recs = [list(r) for r in read_capture(cap)]
    msgs = [f for f in frames_of(got) if len(f) != 2 or next(msgpack.Unpacker(io.BytesIO(f[1])))[0] != 0]
    print("       %d records in the capture, %d messages received" % (len(recs), len(msgs)))
    if len(msgs) <= len(recs) or not msgs:
        return 1
    k = recs.index(msgs[0]) if msgs[0] in recs else -1
    bad = [i for i, m in enumerate(msgs) if k < 0 or m != recs[(k + i) % len(recs)]]
    if bad:
        print("       message %d is not record %d of the capture" % (bad[0], (k + bad[0]) % len(recs)))
        return 1
    print("       the capture %.1f times over, from record %d, byte for byte" % (len(msgs) / len(recs), k))
    return 0


def check_legacy(got):
    frames, want = frames_of(got), legacy_expected()
    ok = frames == [[w] for w in want]
    for f in frames[:5]:
        print("       got  %r" % b"|".join(f)[:150])
    if not ok:
        for w in want:
            print("       want %r" % w[:150])
    return 0 if ok else 1


def gaps(cap):
    """docs/wire-format.md: seq > last + 1 lost seq - last - 1; seq <= last
    is a publisher that restarted numbers (no loss, counting restarts)."""
    last, lost = None, 0
    for topic, payload in read_capture(cap):
        seq = msgpack.unpackb(payload)[3]
        if last is not None and seq > last + 1:
            lost += seq - last - 1
        last = seq
    print(lost, len(read_capture(cap)))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "gen-loop":
        gen_loop(*args)
    elif cmd == "gen-legacy":
        gen_legacy(*args)
    elif cmd == "collect":
        collect(args[0], int(args[1]), float(args[2]), args[3])
    elif cmd == "check-loop":
        sys.exit(check_loop(*args))
    elif cmd == "check-legacy":
        sys.exit(check_legacy(*args))
    elif cmd == "gaps":
        gaps(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
