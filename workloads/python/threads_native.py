"""py-threads-native: threads doing hashlib.sha256 / zlib.compress on large buffers.

Both release the GIL while their C code crunches a buffer (hashlib for inputs over 2 KiB), so
the threads really run at the same time: N threads can fill N cores.
"""

import argparse
import hashlib
import os
import threading
import time
import zlib

import _events as ev


def make_buffer(mib):
    # Half random, half repetitive: zlib has real work to do, and it is still compressible.
    half = mib * 1024 * 1024 // 2
    return os.urandom(half) + bytes(range(256)) * (half // 256)


def one_round(op, buf):
    if op == "sha256":
        return hashlib.sha256(buf).digest()
    return zlib.compress(buf, 6)


def worker(i, op, buf, rounds):
    with ev.task(f"{op}-{i}"):
        for _ in range(rounds):
            one_round(op, buf)


def main(args):
    buf = make_buffer(args.buffer_mib)
    t0 = time.perf_counter()
    one_round(args.op, buf)  # calibration: how long one round takes on an idle core
    round_ms = max(0.01, (time.perf_counter() - t0) * 1000.0)
    rounds = max(1, round(args.work_ms / round_ms))
    threads = [threading.Thread(target=worker, args=(i, args.op, buf, rounds), name=f"{args.op}-{i}") for i in range(args.tasks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{args.tasks} threads x {rounds} rounds of {args.op} on {args.buffer_mib} MiB done")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=2)
    p.add_argument("--work-ms", type=float, default=1500)
    p.add_argument("--op", choices=["sha256", "zlib"], default="sha256")
    p.add_argument("--buffer-mib", type=int, default=8)
    main(p.parse_args())
