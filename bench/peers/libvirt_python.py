"""libvirt-python, the C client underneath, as the peer of `npm run bench`.

    python3 libvirt_python.py URI MODE ARGS...

Prints one JSON object. MODE is one of
  seq PROC N            N sequential calls (PROC: version | lookup)
  threads PROC N K      N calls spread over K threads sharing one connection
  bulk N                N listAllDomains calls
  events N              N suspend/resume cycles on domain "test" from one
                        connection, lifecycle events received on another
                        through libvirt's default event loop
Client CPU is process time (user + system) over the timed part.
"""
import json
import sys
import threading
import time

import libvirt


def call(conn, proc):
    if proc == "version":
        return conn.getLibVersion()
    if proc == "lookup":
        return conn.lookupByName("test")
    raise SystemExit("unknown proc " + proc)


def timed(fn, n):
    cpu0, wall0 = time.process_time(), time.perf_counter()
    fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"calls": n, "seconds": wall, "callsPerSecond": n / wall, "cpuMicrosPerCall": cpu / n * 1e6}


def events(uri, generator, cycles):
    libvirt.virEventRegisterDefaultImpl()
    listener = libvirt.open(uri)
    received = []

    def on_lifecycle(conn, dom, event, detail, opaque):
        received.append((time.perf_counter(), event))

    listener.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    dom = generator.lookupByName("test")
    returned = []
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    for _ in range(cycles):
        dom.suspend()
        returned.append(time.perf_counter())
        dom.resume()
        returned.append(time.perf_counter())
    deadline = time.perf_counter() + 30
    while len(received) < 2 * cycles and time.perf_counter() < deadline:
        time.sleep(0.01)
    cpu = time.process_time() - cpu0
    stop.set()
    # Wake the loop so it sees stop: any event or timeout will do.
    latencies = sorted((r[0] - s) * 1000 for r, s in zip(received, returned))
    in_order = all(ev == (3 if i % 2 == 0 else 4) for i, (_, ev) in enumerate(received))
    last = received[-1][0] if received else t0
    return {
        "events": len(received),
        "lost": 2 * cycles - len(received),
        "inOrder": in_order,
        "eventsPerSecond": len(received) / (last - t0),
        "p50": latencies[len(latencies) // 2] if latencies else None,
        "p99": latencies[int(len(latencies) * 0.99)] if latencies else None,
        "cpuMicrosPerEvent": cpu / max(1, len(received)) * 1e6,
    }


def main():
    uri, mode = sys.argv[1], sys.argv[2]
    conn = libvirt.open(uri)
    if mode == "seq":
        proc, n = sys.argv[3], int(sys.argv[4])
        for _ in range(2000):
            call(conn, proc)  # warm-up, as the JS side has

        def run():
            for _ in range(n):
                call(conn, proc)

        out = timed(run, n)
    elif mode == "threads":
        proc, n, k = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        for _ in range(2000):
            call(conn, proc)

        def worker(count):
            for _ in range(count):
                call(conn, proc)

        def run():
            ts = [threading.Thread(target=worker, args=(n // k,)) for _ in range(k)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()

        out = timed(run, (n // k) * k)
    elif mode == "bulk":
        n = int(sys.argv[3])
        conn.listAllDomains()

        def run():
            for _ in range(n):
                if len(conn.listAllDomains()) < 1000:
                    raise SystemExit("expected 1,000 domains")

        out = timed(run, n)
    elif mode == "events":
        out = events(uri, conn, int(sys.argv[3]))
    else:
        raise SystemExit("unknown mode " + mode)
    conn.close()
    print(json.dumps(out))


main()
