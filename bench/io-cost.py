#!/usr/bin/env python3
"""Where an I/O's time goes, per interval of a running command, from counts that a loaded machine does not distort.

Usage: bench/io-cost.py [--interval S] [--skip S] [--issuer PREFIX] -- COMMAND [ARGS...]

Runs COMMAND and reads /proc for it every interval: 4 KiB writes issued (the kernel's write_bytes, which counts
O_DIRECT writes at submission) by the threads whose name starts with --issuer (every thread by default; a JVM
writes a few files while it starts, so name the job thread: jiomap-fio for `jiomap fio`), and per thread the time on a CPU (schedstat) and the voluntary context switches (each one a
sleep and a wake-up). Prints one line per interval: IOPS, then per I/O the CPU time of the thread that issued the
writes, of the JIT compiler threads and of the whole process, and the issuing thread's voluntary context switches.
Then the same over the steady part (everything after --skip seconds of I/O). Run fio with --thread so that its job
is a thread of the process it starts.
"""
import argparse
import os
import subprocess
import sys
import time

BLOCK = 4096
MIN_IOPS = 100


def snapshot(pid):
    threads = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return threads
    for tid in tids:
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(f"{base}/io") as f:
                written = int(f.read().split("write_bytes:")[1].split()[0])
            with open(f"{base}/schedstat") as f:
                on_cpu = int(f.read().split()[0])
            with open(f"{base}/status") as f:
                status = f.read()
            switches = int(status.split("\nvoluntary_ctxt_switches:")[1].split()[0])
            with open(f"{base}/comm") as f:
                name = f.read().strip()
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        threads[tid] = (written, on_cpu, switches, name)
    return threads


def delta(cur, prev):
    out = {}
    for tid, (w, c, s, name) in cur.items():
        pw, pc, ps, _ = prev.get(tid, (0, 0, 0, name))
        out[tid] = (w - pw, c - pc, s - ps, name)
    return out


def line(label, seconds, d, issuer_prefix):
    ios = sum(v[0] for v in d.values() if v[3].startswith(issuer_prefix)) / BLOCK
    if ios <= 0:
        return None
    issuer = max((t for t in d if d[t][3].startswith(issuer_prefix)), key=lambda t: d[t][0])
    jit = sum(v[1] for v in d.values() if "Compiler" in v[3])
    process = sum(v[1] for v in d.values())
    return (f"{label} iops={ios / seconds:8.0f} issuer={d[issuer][1] / ios / 1e3:7.1f}us/io "
            f"jit={jit / ios / 1e3:7.1f}us/io process={process / ios / 1e3:7.1f}us/io "
            f"issuer-vcs/io={d[issuer][2] / ios:5.2f} load={open('/proc/loadavg').read().split()[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--skip", type=float, default=2.0, help="seconds of I/O left out of the steady summary")
    parser.add_argument("--issuer", default="", help="name prefix of the threads whose writes count")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prev = snapshot(proc.pid)
    first_io = None
    steady_start = None
    last = prev
    last_time = time.monotonic()
    last_io_time = last_time
    while proc.poll() is None:
        time.sleep(args.interval)
        cur = snapshot(proc.pid)
        now = time.monotonic()
        if not cur:
            break
        d = delta(cur, prev)
        written = sum(v[0] for v in d.values() if v[3].startswith(args.issuer))
        if first_io is None and written / BLOCK / (now - last_time) >= MIN_IOPS:
            first_io = now
        if first_io is not None and written > 0:
            text = line(f"t={now - first_io:5.2f}s", now - last_time, d, args.issuer)
            if text:
                print(text, flush=True)
            if steady_start is None and now - first_io >= args.skip:
                steady_start = (prev, last_time)
            last = cur
            last_io_time = now
        prev = cur
        last_time = now
    if steady_start is not None:
        base, t0 = steady_start
        # The last interval with I/O ends the steady part, so the drain and the report do not count.
        text = line(f"steady ({args.skip:g}s of I/O left out)", last_io_time - t0, delta(last, base), args.issuer)
        if text:
            print(text)
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
