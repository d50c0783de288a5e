#!/usr/bin/env python3
"""Cold start of the published gateway on its embedded default: milliseconds from launching the binary until
/readyz answers 200 (serving; in-process models may still be loading) and until /readyz?full does (models loaded,
every stage running), polled every 2 ms from this one process (a shell loop spawning curl would load the machine it
measures). The cache folder next to the binary is removed before each start, so every start opens a new store.

    python3 bench/startup/coldstart.py [binary] [runs]   (default artifacts/publish/linux-x64/edgerouter, 7 runs)
"""
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import time

binary = sys.argv[1] if len(sys.argv) > 1 else "artifacts/publish/linux-x64/edgerouter"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7


def wait_ready(process, path):
    while True:
        if process.poll() is not None:
            sys.exit(f"coldstart: {binary} exited with {process.returncode} before {path} answered")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", 8080, timeout=1)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.002)


serving, full = [], []
for _ in range(runs):
    shutil.rmtree(os.path.join(os.path.dirname(os.path.abspath(binary)), "data", "cache"), ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen([binary], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(process, "/readyz")
        serving.append((time.perf_counter() - started) * 1000)
        wait_ready(process, "/readyz?full")
        full.append((time.perf_counter() - started) * 1000)
    finally:
        process.terminate()
        process.wait()
for name, timings in (("serving (/readyz)", serving), ("models loaded (/readyz?full)", full)):
    print(f"{name} after (ms): " + " ".join(f"{t:.0f}" for t in timings) + f"; median {statistics.median(timings):.0f}")
