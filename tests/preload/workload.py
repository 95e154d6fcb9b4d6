#!/usr/bin/env python3
"""An allocation-heavy Python run for the preload suite and bench-preload.

Builds and drops many small objects (dicts, tuples, strings, lists), round
trips them through json, sorts, joins and grows bytearrays.  Its output is
a digest of what it computed, the same on every malloc.
Usage: workload.py [SCALE]   (default 1; the bench uses more)
"""
import hashlib
import json
import sys


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    digest = hashlib.sha256()
    records = []
    for i in range(60000 * scale):
        records.append({"id": i, "name": "item-%d" % (i * 7919 % 100003),
                        "tags": [str(i % 13), str(i % 17)], "value": (i * 31) % 1000 / 7})
    text = json.dumps(records, sort_keys=True)
    digest.update(text.encode())
    back = json.loads(text)
    back.sort(key=lambda r: (r["name"], r["id"]))
    digest.update(",".join(r["name"] for r in back[:5000]).encode())
    index = {}
    for r in back:
        index.setdefault(r["tags"][0], []).append(r["id"])
    digest.update(repr(sorted((k, len(v), sum(v)) for k, v in index.items())).encode())
    blob = bytearray()
    for i in range(20000 * scale):
        blob += (b"%d;" % i) * (i % 7)
        if len(blob) > 1 << 20:
            digest.update(bytes(blob))
            blob = bytearray()
    words = text.split(",")
    counts = {}
    for w in words:
        counts[w[:12]] = counts.get(w[:12], 0) + 1
    digest.update(repr(sorted(counts.items())[:100]).encode())
    print("records %d, json %d bytes, words %d, keys %d" % (len(records), len(text), len(words),
                                                            len(counts)))
    print("digest", digest.hexdigest())


if __name__ == "__main__":
    main()
