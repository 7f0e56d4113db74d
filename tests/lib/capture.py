"""capture.py - write nbpy capture files (docs/services.md describes the
format) from Python, for tests that replay data they built themselves: the
first version, NBPYCAP1, whose checksum is zlib's CRC-32 (replay reads it).

    records = [(recv_ns, topic, [schema, 1, service, seq, event_ns, recv_delta, ...body])]
    capture.write(path, records)

A message may also be given already packed (bytes), a topic as bytes.
"""
import struct
import zlib

import msgpack


def write(path, records):
    out = bytearray(b"NBPYCAP1")
    for recv_ns, topic, message in records:
        t = topic if isinstance(topic, bytes) else topic.encode()
        payload = message if isinstance(message, bytes) else msgpack.packb(message)
        rec = struct.pack("<qB", recv_ns, len(t)) + t + payload
        out += struct.pack("<II", len(rec), zlib.crc32(rec)) + rec
    with open(path, "wb") as f:
        f.write(out)
