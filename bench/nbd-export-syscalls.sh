#!/usr/bin/env bash
# Syscalls per request of `jiomap serve nbd` under fio's nbd engine (4 KiB random overwrites on a memory device): strace
# counts the server's syscalls while fio writes a fixed number of blocks, divided by that number. A count, not a
# timing: it shows how a build batches its socket reads and reply writes even on a busy machine.
# Usage: bench/nbd-export-syscalls.sh [BLOCKS] [QDS] [CHECKOUT...]   (from the repository root; QDS a quoted list,
# "1 16" by default; CHECKOUTs are directories whose launcher/target/dist is built, this checkout by default).
# Prints one markdown row per checkout, completion mode and QD.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
BLOCKS="${1:-20000}"
read -r -a QDS <<<"${2:-1 16}"
shift $(( $# < 2 ? $# : 2 ))
CHECKOUTS=("$@")
[[ ${#CHECKOUTS[@]} -gt 0 ]] || CHECKOUTS=(.)
command -v strace >/dev/null || { echo "$(basename "$0"): needs strace (Debian package strace)" >&2; exit 1; }
# shellcheck source=bench/jdk.sh
source bench/jdk.sh
DIR="$(mktemp -d /tmp/nbd-syscalls.XXXXXX)"
SERVER=""
trap 'if [[ -n "$SERVER" ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi; rm -rf "$DIR"' EXIT
CALLS="read readv write writev epoll_wait futex sched_yield"
echo "| build | completion | QD | $(echo "$CALLS" | sed 's/ / | /g') |"
echo "|---|---|---|$(for _ in $CALLS; do printf -- '---|'; done)"
for dir in "${CHECKOUTS[@]}"; do
    [[ -f "$dir/launcher/target/dist/launcher.jar" ]] \
        || { echo "$(basename "$0"): $dir has no launcher/target/dist/launcher.jar: build it first" >&2; exit 1; }
    for completion in thread submitter; do
        device="memory:size=256m"
        [[ $completion == submitter ]] && device+=",completion=submitter"
        rm -f "$DIR/s.sock"
        "${JM[0]}" "${JM[@]:1:2}" -jar "$dir/launcher/target/dist/launcher.jar" serve nbd --device="$device" \
            --socket="$DIR/s.sock" >"$DIR/log" 2>&1 &
        SERVER=$!
        for _ in $(seq 600); do [[ -S "$DIR/s.sock" ]] && break; sleep 0.05; done
        [[ -S "$DIR/s.sock" ]] || { echo "the server did not start:" >&2; cat "$DIR/log" >&2; exit 1; }
        uri="nbd+unix:///?socket=$DIR/s.sock"
        fio --name=fill --ioengine=nbd --uri="$uri" --rw=write --bs=1M --size=256M --iodepth=4 >/dev/null
        for qd in "${QDS[@]}"; do
            job=(--name=x --ioengine=nbd --uri="$uri" --rw=randwrite --bs=4k --size=256M --norandommap
                --io_size=$((BLOCKS * 4))k --iodepth="$qd")
            fio "${job[@]}" >/dev/null
            strace -q -c -f -p "$SERVER" -o "$DIR/strace" &
            tracer=$!
            # strace attaches to every thread before it counts; fio starts once it has.
            sleep 1
            fio "${job[@]}" >/dev/null
            kill -INT "$tracer"
            wait "$tracer" 2>/dev/null || true
            row="| $(basename "$(readlink -f "$dir")") | $completion | $qd |"
            for call in $CALLS; do
                row+=" $(awk -v c="$call" -v n="$BLOCKS" '$NF == c { printf "%.2f", $4 / n; found = 1 }
                    END { if (!found) printf "0" }' "$DIR/strace") |"
            done
            echo "$row"
        done
        kill "$SERVER"
        wait "$SERVER" 2>/dev/null || true
        SERVER=""
    done
done
