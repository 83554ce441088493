#!/usr/bin/env bash
# The nbd device against fio's own nbd engine on the same nbdkit memory export (a Unix socket), interleaved per QD so
# that all of them see the same machine: 4 KiB random writes. The export is written in full once first, so every
# measured write is an overwrite on both sides.
# Usage: bench/nbd-vs-fio.sh [SECONDS] [ROUNDS] [QDS]   (from the repository root, after ./jiomap has built dist).
# QDS is a quoted list, "1 2 4 8 16" by default. Prints one markdown table per round, then the medians per QD; every
# number is what the tools printed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
SECS="${1:-4}"
ROUNDS="${2:-2}"
read -r -a QDS <<<"${3:-1 2 4 8 16}"
# shellcheck source=bench/jdk.sh
source bench/jdk.sh

DIR="$(mktemp -d /tmp/nbd-vs-fio.XXXXXX)"
nbdkit -f --exit-with-parent -U "$DIR/sock" memory size=1G >"$DIR/nbdkit.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do [[ -S "$DIR/sock" ]] && break; sleep 0.05; done
URI="nbd+unix:///?socket=$DIR/sock"
fio --name=fill --ioengine=nbd --uri="$URI" --rw=write --bs=1M --size=1G --iodepth=4 >/dev/null

iops() { sed -n '/^{/,$p' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["jobs"][0]["write"]["iops"]))'; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
median() { python3 -c 'import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))' "$@"; }
range() { python3 -c 'import sys; v=[int(x) for x in sys.argv[1:]]; print(f"{min(v)}-{max(v)}")' "$@"; }
FIO=(--size=1G --time_based=1 --runtime="$SECS" --bs=4096 --rw=randwrite --norandommap)
JOB=("${FIO[@]}" --direct=1 --ioengine=io_uring --filename=/f)
declare -A F C P M

for round in $(seq 1 "$ROUNDS"); do
    echo "Round $round (load average $(cut -d' ' -f1 /proc/loadavg) at the start):"
    echo
    echo "| QD | fio nbd | jiomap caller | jiomap caller+poll | jiomap caller, 2 connections | caller/fio | caller+poll/fio | 2 conn/fio |"
    echo "|---|---|---|---|---|---|---|---|"
    for qd in "${QDS[@]}"; do
        f=$(fio --name=x --ioengine=nbd --uri="$URI" "${FIO[@]}" --iodepth="$qd" --output-format=json | iops)
        c=$("${JM[@]}" fio --name=x "${JOB[@]}" --iodepth="$qd" --device="nbd:uri=$URI" \
            --completion=caller --output-format=json 2>/dev/null | iops)
        p=$("${JM[@]}" fio --name=x "${JOB[@]}" --iodepth="$qd" --device="nbd:uri=$URI,poll-queues=1" \
            --completion=caller+poll --output-format=json 2>/dev/null | iops)
        m=$("${JM[@]}" fio --name=x "${JOB[@]}" --iodepth="$qd" --device="nbd:uri=$URI,connections=2" \
            --completion=caller --output-format=json 2>/dev/null | iops)
        F[$qd]+="$f "; C[$qd]+="$c "; P[$qd]+="$p "; M[$qd]+="$m "
        echo "| $qd | $f | $c | $p | $m | $(ratio "$c" "$f") | $(ratio "$p" "$f") | $(ratio "$m" "$f") |"
    done
    echo
done

echo "Median of $ROUNDS rounds (ratios of the medians; min-max of each tool's rounds in brackets):"
echo
echo "| QD | fio nbd | jiomap caller | jiomap caller+poll | jiomap caller, 2 connections | caller/fio | caller+poll/fio | 2 conn/fio |"
echo "|---|---|---|---|---|---|---|---|"
for qd in "${QDS[@]}"; do
    # shellcheck disable=SC2086
    f=$(median ${F[$qd]}); c=$(median ${C[$qd]}); p=$(median ${P[$qd]}); m=$(median ${M[$qd]})
    # shellcheck disable=SC2086
    echo "| $qd | $f ($(range ${F[$qd]})) | $c ($(range ${C[$qd]})) | $p ($(range ${P[$qd]})) | $m ($(range ${M[$qd]})) |" \
        "$(ratio "$c" "$f") | $(ratio "$p" "$f") | $(ratio "$m" "$f") |"
done
