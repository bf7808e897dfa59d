"""py-mp-cpu: the article's heavy_computation() in multiprocessing.Process children.

Each child is its own interpreter with its own GIL, so N children run the same loop on N cores
at once (up to the number of cores).
"""

import argparse
import multiprocessing as mp
import signal
import sys

import _events as ev
from _work import calibrate, spin


def child(i, iterations):
    ev.die_with_parent()
    with ev.task(f"proc-{i}"):
        spin(iterations)


def main(args):
    iterations = max(1, int(calibrate() * args.work_ms))
    procs = [mp.Process(target=child, args=(i, iterations), name=f"proc-{i}") for i in range(args.tasks)]

    def stop(signum, _frame):
        # Cancelled: take the children down with us rather than orphaning them.
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(1)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    failed = [p.exitcode for p in procs if p.exitcode != 0]
    print(f"{args.tasks} processes x {iterations} iterations done")
    return 1 if failed else 0


if __name__ == "__main__":
    mp.set_start_method("fork")  # children inherit the event fd and need no re-import
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=2)
    p.add_argument("--work-ms", type=float, default=1500)
    sys.exit(main(p.parse_args()))
