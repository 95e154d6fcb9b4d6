#!/usr/bin/env python3
"""Eight threads that each import C extension modules: the dynamic loader
maps them (dlopen) and sets up thread-local storage for new threads, with
the process's malloc, which the preload suite makes zslab's."""
import threading


def work(n: int) -> int:
    # Imported here, in the threads, on purpose.
    import _ctypes  # noqa: F401
    import _decimal  # noqa: F401
    import array  # noqa: F401
    return sum(len(str(i)) for i in range(n))


def main() -> None:
    threads = [threading.Thread(target=work, args=(50000,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("threads done")


if __name__ == "__main__":
    main()
