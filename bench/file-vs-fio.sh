#!/usr/bin/env bash
# The file device against the system's fio and the JDK's AsynchronousFileChannel on the same file, interleaved per
# QD so that all of them see the same machine: 4 KiB random O_DIRECT overwrites through io_uring.
# Usage: bench/file-vs-fio.sh [IMAGE] [SECONDS] [ROUNDS] [QDS]   (from the repository root, after ./jiomap has built
# dist). QDS is a quoted list, "1 2 4 8 16" by default. AFC=0 in the environment leaves out AsynchronousFileChannel.
# Prints one markdown table per round, then the median of the rounds per QD; every number is what the tools printed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
IMAGE="${1:-target-bench/dio-1g.img}"
SECS="${2:-4}"
ROUNDS="${3:-2}"
read -r -a QDS <<<"${4:-1 2 4 8 16}"
AFC="${AFC:-1}"
# shellcheck source=bench/jdk.sh
source bench/jdk.sh

if [[ ! -f "$IMAGE" ]]; then
    mkdir -p "$(dirname "$IMAGE")"
    # Written once in full, so every measured write is an overwrite on both sides.
    dd if=/dev/zero of="$IMAGE" bs=1M count=1024 oflag=direct status=none
fi
iops() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["jobs"][0]["write"]["iops"]))'; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
median() { python3 -c 'import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))' "$@"; }
JOB=(--size=1G --time_based=1 --runtime="$SECS" --bs=4096 --rw=randwrite --norandommap --direct=1 --ioengine=io_uring)
declare -A F C P A

for round in $(seq 1 "$ROUNDS"); do
    echo "Round $round (load average $(cut -d' ' -f1 /proc/loadavg) at the start):"
    echo
    echo "| QD | fio | jiomap caller | jiomap caller+poll | AsynchronousFileChannel | caller/fio | caller+poll/fio | caller+poll/AFC |"
    echo "|---|---|---|---|---|---|---|---|"
    for qd in "${QDS[@]}"; do
        f=$(fio --name=x --filename="$IMAGE" "${JOB[@]}" --iodepth="$qd" --output-format=json | iops)
        c=$("${JM[@]}" fio --name=x --filename=/f "${JOB[@]}" --iodepth="$qd" --device=file:path="$IMAGE" \
            --completion=caller --output-format=json 2>/dev/null | iops)
        p=$("${JM[@]}" fio --name=x --filename=/f "${JOB[@]}" --iodepth="$qd" --device=file:path="$IMAGE" \
            --completion=caller+poll --output-format=json 2>/dev/null | iops)
        a=""
        if [[ "$AFC" != 0 ]]; then
            a=$("$JAVA" -cp devices/file/target/test-classes io.jiomap.device.file.AsyncFileChannelBaseline "$IMAGE" \
                "$qd" "$SECS" | sed -n 's/.*iops=\([0-9]*\).*/\1/p')
        fi
        F[$qd]+="$f "; C[$qd]+="$c "; P[$qd]+="$p "; A[$qd]+="$a "
        echo "| $qd | $f | $c | $p | ${a:--} | $(ratio "$c" "$f") | $(ratio "$p" "$f") | $([[ -n "$a" ]] && ratio "$p" "$a" || echo -) |"
    done
    echo
done

echo "Median of $ROUNDS rounds (ratios of the medians; min-max of each tool's rounds in brackets):"
echo
echo "| QD | fio | jiomap caller | jiomap caller+poll | AsynchronousFileChannel | caller/fio | caller+poll/fio |"
echo "|---|---|---|---|---|---|---|"
range() { python3 -c 'import sys; v=[int(x) for x in sys.argv[1:]]; print(f"{min(v)}-{max(v)}")' "$@"; }
for qd in "${QDS[@]}"; do
    # shellcheck disable=SC2086
    f=$(median ${F[$qd]}); c=$(median ${C[$qd]}); p=$(median ${P[$qd]})
    a="-"
    # shellcheck disable=SC2086
    [[ "$AFC" != 0 ]] && a="$(median ${A[$qd]}) ($(range ${A[$qd]}))"
    # shellcheck disable=SC2086
    echo "| $qd | $f ($(range ${F[$qd]})) | $c ($(range ${C[$qd]})) | $p ($(range ${P[$qd]})) | $a |" \
        "$(ratio "$c" "$f") | $(ratio "$p" "$f") |"
done
