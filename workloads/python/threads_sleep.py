"""py-threads-sleep: the article's download_file() threads, each blocked in time.sleep.

A sleeping thread releases the GIL, so N threads overlap their waits: N tasks take about one
sleep of wall time and almost no CPU.
"""

import argparse
import threading
import time

import _events as ev


def download(i, sleep_ms):
    with ev.task(f"download-{i}"):
        time.sleep(sleep_ms / 1000.0)


def main(args):
    threads = [threading.Thread(target=download, args=(i, args.sleep_ms), name=f"download-{i}") for i in range(args.tasks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{args.tasks} downloads finished")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=4)
    p.add_argument("--sleep-ms", type=float, default=2000)
    main(p.parse_args())
