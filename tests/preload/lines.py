#!/usr/bin/env python3
"""Writes LINES generated text lines to stdout, the same ones on every run
(a seeded generator): words, numbers and repeats, for sort to chew on.
Usage: lines.py LINES
"""
import random
import sys

WORDS = ("zone", "slab", "chunk", "append", "reset", "object", "class", "cache", "flash",
         "namespace", "write", "pointer", "free", "alloc", "page", "lba")


def main() -> None:
    count = int(sys.argv[1])
    rng = random.Random(20240205)
    out = sys.stdout
    for _ in range(count):
        n = rng.randrange(1, 9)
        out.write(" ".join(rng.choice(WORDS) + str(rng.randrange(100000)) for _ in range(n)))
        out.write("\n")


if __name__ == "__main__":
    main()
