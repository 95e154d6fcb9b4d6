#!/usr/bin/env python3
"""A bad free from a real program, through ctypes: the process's free() is
zslab's when the preload suite runs this.
Usage: bad_free.py double|interior
  double    prints the address of a 32-byte object, frees it twice
  interior  frees a pointer 8 bytes into a 64-byte object
Either way it prints "went on" if free() returned.
"""
import ctypes
import sys


def main() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    if sys.argv[1] == "double":
        p = libc.malloc(32)
        print(hex(p), flush=True)
        libc.free(p)
        libc.free(p)
    else:
        p = libc.malloc(64)
        libc.free(p + 8)
    print("went on", flush=True)


if __name__ == "__main__":
    main()
