"""py-threads-cpu: N threads each run the same pure-Python loop.

Each task is a fixed amount of bytecode work. The GIL lets one thread execute at a time, so
N threads share about one core and take about N times as long as one.
"""

import argparse
import sys
import threading

import _events as ev
from _work import calibrate, spin


def worker(i, iterations):
    with ev.task(f"cpu-{i}"):
        spin(iterations)


def main(args):
    if args.switch_interval_ms:
        sys.setswitchinterval(args.switch_interval_ms / 1000.0)
    iterations = max(1, int(calibrate() * args.work_ms))
    threads = [threading.Thread(target=worker, args=(i, iterations), name=f"cpu-{i}") for i in range(args.tasks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{args.tasks} threads x {iterations} iterations done")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=2)
    p.add_argument("--work-ms", type=float, default=1500)
    p.add_argument("--switch-interval-ms", type=float, default=0, help="sys.setswitchinterval; 0 keeps the default 5 ms")
    main(p.parse_args())
