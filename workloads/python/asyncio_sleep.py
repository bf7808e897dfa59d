"""py-asyncio-sleep: N coroutines await asyncio.sleep together on one thread.

The article's fetch_data() example: while each task waits, the event loop runs the others,
so N tasks finish in about one sleep and the CPU stays almost idle.
"""

import argparse
import asyncio

import _events as ev


async def fetch(i, sleep_ms):
    with ev.task(f"fetch-{i}"):
        await asyncio.sleep(sleep_ms / 1000.0)


async def main(args):
    beat = asyncio.create_task(ev.heartbeat(args.heartbeat_ms))
    await asyncio.gather(*(fetch(i, args.sleep_ms) for i in range(args.tasks)))
    beat.cancel()
    print(f"{args.tasks} sleeps of {args.sleep_ms} ms done")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=4)
    p.add_argument("--sleep-ms", type=float, default=2000)
    p.add_argument("--heartbeat-ms", type=float, default=20)
    asyncio.run(main(p.parse_args()))
