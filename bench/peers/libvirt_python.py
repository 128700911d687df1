"""libvirt-python, the C client underneath, as the peer of `npm run bench`.

    python3 libvirt_python.py URI MODE ARGS...

Prints one JSON object. MODE is one of
  seq PROC N            N sequential calls (PROC: version | lookup)
  threads PROC N K      N calls spread over K threads sharing one connection
  bulk N                N listAllDomains calls
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


def main():
    uri, mode = sys.argv[1], sys.argv[2]
    conn = libvirt.open(uri)
    if mode == "seq":
        proc, n = sys.argv[3], int(sys.argv[4])
        for _ in range(min(n, 200)):
            call(conn, proc)  # warm-up

        def run():
            for _ in range(n):
                call(conn, proc)

        out = timed(run, n)
    elif mode == "threads":
        proc, n, k = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        for _ in range(200):
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
    else:
        raise SystemExit("unknown mode " + mode)
    conn.close()
    print(json.dumps(out))


main()
