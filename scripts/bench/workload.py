"""Benchmark workload: a tree of PROCS processes and THREADS threads in all that mostly sleep.

The root process starts PROCS-1 child processes (fresh interpreters, so no multiprocessing helper
processes join the tree); every process then runs enough extra threads that the tree holds
THREADS threads in total. Each extra thread burns ~BURN_MS of CPU every PERIOD_MS and sleeps
the rest, so the samplers have live counters to read while the machine stays mostly idle.
Everything ends by itself after DURATION_S seconds.

Usage: workload.py TAG DURATION_S [PROCS THREADS BURN_MS PERIOD_MS]
(TAG only marks the command line so the bench can find and clean up its own processes;
a child is started as: workload.py TAG DURATION_S --child EXTRA_THREADS BURN_MS PERIOD_MS END)
"""
import subprocess
import sys
import threading
import time


def burn(ms):
    end = time.perf_counter() + ms / 1000.0
    x = 0
    while time.perf_counter() < end:
        x += 1
    return x


def worker(burn_ms, period_s, end):
    while True:
        now = time.monotonic()
        if now >= end:
            return
        burn(burn_ms)
        time.sleep(min(period_s, max(0.0, end - time.monotonic())))


def run_threads(n, burn_ms, period_ms, end):
    threads = [threading.Thread(target=worker, args=(burn_ms, period_ms / 1000.0, end), name=f"bench-w{i}") for i in range(n)]
    for t in threads:
        t.start()
    return threads


def main():
    tag, duration = sys.argv[1], float(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "--child":
        extra, burn_ms, period_ms, end_wall = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
        end = time.monotonic() + max(0.0, end_wall - time.time())
        for t in run_threads(extra, burn_ms, period_ms, end):
            t.join()
        return 0
    procs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    burn_ms = float(sys.argv[5]) if len(sys.argv) > 5 else 0.3
    period_ms = float(sys.argv[6]) if len(sys.argv) > 6 else 50.0
    end_wall = time.time() + duration
    end = time.monotonic() + duration
    # Spread the extra threads (THREADS minus one main thread per process) over the processes.
    extra_total = max(0, threads - procs)
    per = [extra_total // procs + (1 if i < extra_total % procs else 0) for i in range(procs)]
    children = [
        subprocess.Popen([sys.executable, "-S", __file__, tag, str(duration), "--child", str(per[i]), str(burn_ms), str(period_ms), repr(end_wall)])
        for i in range(1, procs)
    ]
    for t in run_threads(per[0], burn_ms, period_ms, end):
        t.join()
    code = 0
    for c in children:
        try:
            c.wait(timeout=max(1.0, end - time.monotonic() + 5))
        except subprocess.TimeoutExpired:
            c.kill()
            c.wait()
            code = 1
    return code


sys.exit(main())
