#!/usr/bin/env bash
# fio's 4 KiB random O_DIRECT writes (io_uring) on two jiomap FUSE mounts that differ only in the transport, alternated
# per QD and round so that both see the same machine:
#   dev-fuse  xfs-like mounted by `jiomap mount` (requests read from /dev/fuse by the workers)
#   uring     the same with `-o uring` (FUSE over io_uring: requests as completions on a ring per CPU, replies as
#             COMMIT_AND_FETCH submissions)
# Both images live on DIR behind the file device; every file is written in full first, so every measured write is an
# overwrite. The script switches /sys/module/fuse/parameters/enable_uring on for its run and puts it back at exit.
# Usage: bench/fuse-uring-vs-dev.sh [SECONDS] [ROUNDS] [QDS] [DIR]   (as root, from the repository root, after the
# distribution is built). QDS is a quoted list, "1 2 4 8 16" by default; DIR defaults to /var/tmp. Prints one markdown
# table per round (IOPS, and CPU µs per I/O of fio plus the server, from /proc), then the medians; every number is
# what fio and /proc reported.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
SECS="${1:-4}"
ROUNDS="${2:-2}"
read -r -a QDS <<<"${3:-1 2 4 8 16}"
BASE="${4:-/var/tmp}"
SIZE=512m
SWITCH=/sys/module/fuse/parameters/enable_uring
# shellcheck source=bench/jdk.sh
source bench/jdk.sh
# shellcheck source=bench/fio-point.sh
source bench/fio-point.sh
command -v fio >/dev/null || { echo "fuse-uring-vs-dev: fio is missing" >&2; exit 1; }
[[ -w "$SWITCH" ]] || { echo "fuse-uring-vs-dev: $SWITCH is missing or not writable (Linux 6.14+ with" \
    "CONFIG_FUSE_IO_URING, as root)" >&2; exit 1; }

SWITCH_BEFORE="$(cat "$SWITCH")"
DIR="$(mktemp -d "$BASE/fuse-uring-vs-dev.XXXXXX")"
cleanup() {
    for m in "$DIR/m-dev" "$DIR/m-uring"; do
        mountpoint -q "$m" 2>/dev/null && umount "$m" 2>/dev/null || true
    done
    echo "$SWITCH_BEFORE" >"$SWITCH" || true
    rm -rf "$DIR"
}
trap cleanup EXIT
echo Y >"$SWITCH"
mkdir -p "$DIR"/m-dev "$DIR"/m-uring

"${JM[@]}" mkfs --fs=xfs-like --size=1g "$DIR/dev.img" >/dev/null
"${JM[@]}" mount --background "$DIR/dev.img" "$DIR/m-dev" >/dev/null
"${JM[@]}" mkfs --fs=xfs-like --size=1g "$DIR/uring.img" >/dev/null
"${JM[@]}" mount --background -o uring "$DIR/uring.img" "$DIR/m-uring" >/dev/null

declare -A TARGET=([dev-fuse]="$DIR/m-dev" [uring]="$DIR/m-uring")
declare -A IMAGE=([dev-fuse]="$DIR/dev.img" [uring]="$DIR/uring.img")
NAMES=(dev-fuse uring)
for n in "${NAMES[@]}"; do
    fio --name=fill --filename="${TARGET[$n]}/f" --size=$SIZE --bs=1M --rw=write --direct=1 --ioengine=psync \
        >/dev/null
done

run() {   # name qd -> "iops cpu_us_per_io"
    local pids
    read -r -a pids <<<"$(pgrep -f "launcher.jar mount .*${IMAGE[$1]} " | tr '\n' ' ')"
    fio_write_point "${TARGET[$1]}/f" "$SIZE" "$SECS" "$2" "${pids[@]}"
}

declare -A RES
for round in $(seq 1 "$ROUNDS"); do
    # Odd rounds start with /dev/fuse, even rounds with the ring.
    order=("${NAMES[@]}")
    (( round % 2 == 0 )) && order=(uring dev-fuse)
    echo "Round $round (load average $(cut -d' ' -f1-3 /proc/loadavg) at the start): IOPS, then CPU µs per I/O" \
        "(fio + server)"
    echo
    echo "| QD | dev-fuse | uring |"
    echo "|---|---|---|"
    for qd in "${QDS[@]}"; do
        declare -A cell=()
        for n in "${order[@]}"; do
            r="$(run "$n" "$qd")"
            RES[$n,$qd]+="${r%% *} "
            cell[$n]="${r%% *} (${r##* } µs)"
        done
        echo "| $qd | ${cell[dev-fuse]} | ${cell[uring]} |"
    done
    echo
done
echo "Median IOPS of $ROUNDS rounds (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end):"
echo
echo "| QD | dev-fuse | uring | uring/dev-fuse |"
echo "|---|---|---|---|"
for qd in "${QDS[@]}"; do
    python3 - "$qd" "${RES[dev-fuse,$qd]}" "${RES[uring,$qd]}" <<'PY'
import statistics, sys
m = [statistics.median(int(x) for x in col.split()) for col in sys.argv[2:]]
print(f"| {sys.argv[1]} | {m[0]:.0f} | {m[1]:.0f} | {m[1]/m[0]:.2f} |")
PY
done
"${JM[@]}" umount "$DIR/m-dev" >/dev/null
"${JM[@]}" umount "$DIR/m-uring" >/dev/null
echo
echo "Where the engine completed each mount's I/O (the fill and every round), as the mount reported at unmount:"
echo
echo "- dev-fuse: $(grep -h 'completions:' "$DIR/dev.img.mount.log" | tail -n 1 | sed 's/^jiomap mount: //')"
echo "- uring: $(grep -h 'completions:' "$DIR/uring.img.mount.log" | tail -n 1 | sed 's/^jiomap mount: //')"
