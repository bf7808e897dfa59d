"""py-asyncio-blocked: one CPU-bound coroutine starves the event loop.

N coroutines sleep in short steps (their timers should fire on time) while one coroutine runs
a pure-Python loop. With --chunk-ms 0 it never awaits, so every timer (and the lag heartbeat)
fires late by about the whole block; with --chunk-ms > 0 it yields every chunk and lag shrinks.
"""

import argparse
import asyncio
import time

import _events as ev
from _work import spin


async def sleeper(i, total_ms, step_ms):
    with ev.task(f"sleeper-{i}"):
        end = time.perf_counter() + total_ms / 1000.0
        while time.perf_counter() < end:
            await asyncio.sleep(step_ms / 1000.0)


def busy_for(ms):
    # Wall-clock bound, not an iteration count: the point is how long the loop is held,
    # and that must not depend on a calibration taken while the machine was busy.
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        spin(2000)


async def cpu_hog(block_ms, chunk_ms):
    with ev.task("cpu"):
        done = 0.0
        step = chunk_ms if chunk_ms > 0 else block_ms
        while done < block_ms:
            busy_for(min(step, block_ms - done))
            done += step
            if done < block_ms:
                await asyncio.sleep(0)  # give the loop a turn between chunks


async def main(args):
    beat = asyncio.create_task(ev.heartbeat(args.heartbeat_ms))
    await asyncio.sleep(0.05)  # a few on-time beats first, for contrast
    await asyncio.gather(
        *(sleeper(i, args.block_ms, args.step_ms) for i in range(args.tasks)),
        cpu_hog(args.block_ms, args.chunk_ms),
    )
    beat.cancel()
    print(f"cpu coroutine blocked the loop for ~{args.block_ms} ms (chunks of {args.chunk_ms or args.block_ms} ms)")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=3)
    p.add_argument("--block-ms", type=float, default=1500)
    p.add_argument("--chunk-ms", type=float, default=0)
    p.add_argument("--step-ms", type=float, default=50)
    p.add_argument("--heartbeat-ms", type=float, default=20)
    asyncio.run(main(p.parse_args()))
