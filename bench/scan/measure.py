#!/usr/bin/env python3
"""Runs one client command and prints what it cost, as one JSON line.

Client CPU is user+sys of the command and all its children (getrusage RUSAGE_CHILDREN,
so a wrapper such as taskset is included, which is noise-free enough); server CPU is the
delta of utime+stime in /proc/PID/stat of the nginx worker(s) given; RSS is the client's
peak (ru_maxrss). Usage: measure.py --server-pids 123,124 --timeout 60 -- CMD ARGS...
"""
import argparse, json, os, resource, subprocess, sys, time

def server_ticks(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server-pids", required=True)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    pids = [int(x) for x in a.server_pids.split(",") if x]
    hz = os.sysconf("SC_CLK_TCK")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    s0 = server_ticks(pids)
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 124, e.stdout or "", e.stderr or ""
        out = out.decode() if isinstance(out, bytes) else out
        err = err.decode() if isinstance(err, bytes) else err
    wall = time.monotonic() - t0
    s1 = server_ticks(pids)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "rc": rc, "wall_s": wall,
        "client_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "client_maxrss_kb": after.ru_maxrss,
        "server_cpu_s": (s1 - s0) / hz,
        "stdout": out[-4000:], "stderr": err[-4000:],
    }))

if __name__ == "__main__":
    sys.exit(main())
