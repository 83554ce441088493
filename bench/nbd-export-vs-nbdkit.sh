#!/usr/bin/env bash
# `jiomap serve nbd` against nbdkit's memory plugin, both driven by fio's own nbd engine over a Unix socket, interleaved
# per QD so that both see the same machine: 4 KiB random writes. jiomap serves a memory device twice, with the device's
# default completion (a device thread, as a real device's interrupt) and with completion=submitter (the device copies on
# the submitting thread, as nbdkit's memory plugin does). Every export is written in full first, so every measured
# write is an overwrite.
# Usage: bench/nbd-export-vs-nbdkit.sh [SECONDS] [ROUNDS] [QDS]   (from the repository root, after ./jiomap has built
# dist). QDS is a quoted list, "1 2 4 8 16" by default. Prints one markdown table per round, then the medians; every
# number is what fio printed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
SECS="${1:-4}"
ROUNDS="${2:-2}"
read -r -a QDS <<<"${3:-1 2 4 8 16}"
# shellcheck source=bench/jdk.sh
source bench/jdk.sh

DIR="$(mktemp -d /tmp/nbd-export.XXXXXX)"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$DIR"' EXIT
nbdkit -f --exit-with-parent -U "$DIR/nbdkit.sock" memory size=1G >"$DIR/nbdkit.log" 2>&1 &
PIDS+=($!)
"${JM[@]}" serve nbd --device=memory:size=1g --socket="$DIR/thread.sock" >"$DIR/thread.log" 2>&1 &
PIDS+=($!)
"${JM[@]}" serve nbd --device=memory:size=1g,completion=submitter --socket="$DIR/submitter.sock" \
    >"$DIR/submitter.log" 2>&1 &
PIDS+=($!)
for s in nbdkit thread submitter; do
    for _ in $(seq 600); do [[ -S "$DIR/$s.sock" ]] && break; sleep 0.05; done
    [[ -S "$DIR/$s.sock" ]] || { echo "$s did not start:" >&2; cat "$DIR/$s.log" >&2; exit 1; }
done
NAMES=(nbdkit thread submitter)
for s in "${NAMES[@]}"; do
    fio --name=fill --ioengine=nbd --uri="nbd+unix:///?socket=$DIR/$s.sock" --rw=write --bs=1M --size=1G --iodepth=4 \
        >/dev/null
done
iops() { sed -n '/^{/,$p' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["jobs"][0]["write"]["iops"]))'; }
declare -A RES
for round in $(seq 1 "$ROUNDS"); do
    echo "Round $round (load average $(cut -d' ' -f1 /proc/loadavg) at the start):"
    echo
    echo "| QD | nbdkit memory | jiomap serve, memory completion=thread | jiomap serve, memory completion=submitter |"
    echo "|---|---|---|---|"
    for qd in "${QDS[@]}"; do
        row="| $qd |"
        for s in "${NAMES[@]}"; do
            v=$(fio --name=x --ioengine=nbd --uri="nbd+unix:///?socket=$DIR/$s.sock" --size=1G --time_based=1 \
                --runtime="$SECS" --bs=4096 --rw=randwrite --norandommap --iodepth="$qd" --output-format=json | iops)
            RES[$s,$qd]+="$v "
            row+=" $v |"
        done
        echo "$row"
    done
    echo
done
echo "Median of $ROUNDS rounds:"
echo
echo "| QD | nbdkit memory | jiomap, thread | jiomap, submitter | thread/nbdkit | submitter/nbdkit |"
echo "|---|---|---|---|---|---|"
for qd in "${QDS[@]}"; do
    python3 - "$qd" "${RES[nbdkit,$qd]}" "${RES[thread,$qd]}" "${RES[submitter,$qd]}" <<'PY'
import statistics, sys
m = [statistics.median(int(x) for x in col.split()) for col in sys.argv[2:]]
print(f"| {sys.argv[1]} | {m[0]:.0f} | {m[1]:.0f} | {m[2]:.0f} | {m[1]/m[0]:.2f} | {m[2]/m[0]:.2f} |")
PY
done
