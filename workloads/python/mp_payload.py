"""py-mp-payload: multiprocessing children that receive and return large payloads.

Processes share no memory, so every object sent to a child is pickled, copied through a pipe
and unpickled, and the same again on the way back. With big payloads and little work per
payload, moving the data costs more than computing on it. Reports ipcBytes, ipcMs, pickleMs.
"""

import argparse
import multiprocessing as mp
import pickle
import signal
import sys
import time
import zlib

import _events as ev


def make_payload(kind, mib):
    nbytes = mib * 1024 * 1024
    if kind == "bytes":
        return bytes(range(256)) * (nbytes // 256)
    # Python objects pickle item by item: far more CPU per byte than a flat buffer.
    return [float(i) for i in range(nbytes // 9)]


def checksum(payload):
    if isinstance(payload, bytes):
        return zlib.crc32(payload)
    return len(payload)


def child_pipe(i, conn, rounds):
    ev.die_with_parent()
    with ev.task(f"proc-{i}"):
        for _ in range(rounds):
            payload = conn.recv()
            checksum(payload)
            conn.send(payload)  # echo: the return trip costs as much as the way there
    conn.close()


def child_queue(i, inbox, outbox, rounds):
    ev.die_with_parent()
    with ev.task(f"proc-{i}"):
        for _ in range(rounds):
            payload = inbox.get()
            checksum(payload)
            outbox.put((i, payload))


def main(args):
    payload = make_payload(args.payload, args.payload_mib)
    t0 = time.perf_counter()
    size = len(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    pickle_once_ms = (time.perf_counter() - t0) * 1000.0

    procs = []
    if args.transport == "pipe":
        conns = []
        for i in range(args.tasks):
            parent_end, child_end = mp.Pipe()
            procs.append(mp.Process(target=child_pipe, args=(i, child_end, args.rounds), name=f"proc-{i}"))
            conns.append(parent_end)
    else:
        inboxes = [mp.Queue() for _ in range(args.tasks)]
        outbox = mp.Queue()
        for i in range(args.tasks):
            procs.append(mp.Process(target=child_queue, args=(i, inboxes[i], outbox, args.rounds), name=f"proc-{i}"))

    def stop(signum, _frame):
        for p in procs:
            if p.is_alive():
                p.terminate()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    for p in procs:
        p.start()

    ipc_ms = 0.0
    for r in range(args.rounds):
        with ev.task(f"round-{r}"):
            t0 = time.perf_counter()
            if args.transport == "pipe":
                for c in conns:
                    c.send(payload)
                for c in conns:
                    c.recv()
            else:
                for q in inboxes:
                    q.put(payload)
                for _ in range(args.tasks):
                    outbox.get()
            ipc_ms += (time.perf_counter() - t0) * 1000.0

    for p in procs:
        p.join()
    messages = 2 * args.tasks * args.rounds
    total_bytes = messages * size
    ev.metric("ipcBytes", total_bytes, "B")
    ev.metric("ipcMs", round(ipc_ms, 3), "ms")
    ev.metric("pickleMs", round(pickle_once_ms * messages, 3), "ms")
    ev.metric("ipcMBps", round(total_bytes / 1e6 / max(ipc_ms / 1000.0, 1e-9), 1), "MB/s")
    print(f"{messages} messages of {size} bytes via {args.transport}: {ipc_ms:.0f} ms moving data")
    return 0 if all(p.exitcode == 0 for p in procs) else 1


if __name__ == "__main__":
    mp.set_start_method("fork")
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tasks", type=int, default=2)
    p.add_argument("--payload-mib", type=int, default=32)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--payload", choices=["bytes", "objects"], default="bytes")
    p.add_argument("--transport", choices=["pipe", "queue"], default="pipe")
    sys.exit(main(p.parse_args()))
