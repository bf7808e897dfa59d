"""CPU work shared by the Python scenarios: a fixed amount of pure-Python work per task.

Work is an iteration count so N threads sharing the GIL really take N times longer; the
command-line knob is milliseconds, converted once with calibrate() on an idle interpreter.
"""

import time


def spin(iterations):
    # The article's loop: pure bytecode, holds the GIL the whole time.
    total = 0
    for i in range(iterations):
        total += i
    return total


def _rate(n):
    # This thread's CPU time, not the wall clock: other programs taking the core (a browser
    # drawing the previous run, say) must not shrink the work this run is given.
    t0 = time.thread_time()
    spin(n)
    return n / max(1e-3, (time.thread_time() - t0) * 1000.0)


def calibrate(target_ms=15.0, samples=3):
    """Iterations per millisecond of spin() on this interpreter.

    A rough probe sizes a few ~target_ms measurements; the fastest wins, since anything else
    running on the machine can only make a sample slower. ~50 ms in all: cheap enough not to
    blur the run's CPU/wall figure.
    """
    rough = _rate(100_000)
    n = max(50_000, int(rough * target_ms))
    return max(_rate(n) for _ in range(samples))


def iterations_for(work_ms, rate=None):
    return max(1, int((rate or calibrate()) * work_ms))
