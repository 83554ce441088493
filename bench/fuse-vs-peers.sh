#!/usr/bin/env bash
# fio's 4 KiB random O_DIRECT writes (io_uring) on a jiomap FUSE mount against the peers, interleaved per QD so that
# all of them see the same machine:
#   jiomap-file  xfs-like mounted by `jiomap mount` on an image on DIR (the file device: io_uring, O_DIRECT)
#   jiomap-nvme  xfs-like mounted by `jiomap mount --device=nvme-like` on an image in /dev/shm (memory behind the model)
#   bindfs       Debian's bindfs over a directory on DIR (a FUSE filesystem people use)
#   kernel-xfs   the kernel's XFS on a loop device over an image on DIR (the reference no FUSE server reaches)
# Every target's file is written in full first, so every measured write is an overwrite.
# Usage: bench/fuse-vs-peers.sh [SECONDS] [ROUNDS] [QDS] [DIR]   (as root, from the repository root, after ./jiomap has
# built dist). QDS is a quoted list, "1 2 4 8 16" by default; DIR is where the on-disk images live (/var/tmp). Prints one
# markdown table per round with IOPS and the CPU time per I/O of fio plus the server (usr+sys of every process of the
# target, from /proc), then the medians and where each jiomap mount's completions ran; every number is what the tools
# and /proc reported.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
SECS="${1:-4}"
ROUNDS="${2:-2}"
read -r -a QDS <<<"${3:-1 2 4 8 16}"
BASE="${4:-/var/tmp}"
SIZE=512m
# shellcheck source=bench/jdk.sh
source bench/jdk.sh
# shellcheck source=bench/fio-point.sh
source bench/fio-point.sh
for tool in fio bindfs mkfs.xfs losetup; do
    command -v "$tool" >/dev/null || { echo "fuse-vs-peers: $tool is missing" >&2; exit 1; }
done

DIR="$(mktemp -d "$BASE/fuse-vs-peers.XXXXXX")"
SHM="$(mktemp -d /dev/shm/fuse-vs-peers.XXXXXX)"
LOOP=""
cleanup() {
    for m in "$DIR/m-file" "$DIR/m-nvme" "$DIR/m-bindfs" "$DIR/m-xfs"; do
        mountpoint -q "$m" 2>/dev/null && umount "$m" 2>/dev/null || true
    done
    [[ -n "$LOOP" ]] && losetup -d "$LOOP" 2>/dev/null || true
    rm -rf "$DIR" "$SHM"
}
trap cleanup EXIT
mkdir -p "$DIR"/m-file "$DIR"/m-nvme "$DIR"/m-bindfs "$DIR"/m-xfs "$DIR"/bindfs-src

"${JM[@]}" mkfs --fs=xfs-like --size=1g "$DIR/file.img" >/dev/null
"${JM[@]}" mount --background "$DIR/file.img" "$DIR/m-file" >/dev/null
"${JM[@]}" mkfs --fs=xfs-like --size=1g "$SHM/nvme.img" >/dev/null
"${JM[@]}" mount --background --device=nvme-like "$SHM/nvme.img" "$DIR/m-nvme" >/dev/null
bindfs "$DIR/bindfs-src" "$DIR/m-bindfs"
truncate -s 1g "$DIR/xfs.img"
LOOP="$(losetup --find --show --direct-io=on "$DIR/xfs.img")"
mkfs.xfs -q -f "$LOOP"
mount "$LOOP" "$DIR/m-xfs"

declare -A TARGET=([jiomap-file]="$DIR/m-file" [jiomap-nvme]="$DIR/m-nvme" [bindfs]="$DIR/m-bindfs"
                   [kernel-xfs]="$DIR/m-xfs")
NAMES=(jiomap-file jiomap-nvme bindfs kernel-xfs)
# The processes that serve each target (their CPU time counts with fio's); the kernel's XFS has none.
# (`jiomap mount --background` starts its server with the same arguments minus --background.)
server_pids() {
    case "$1" in
        jiomap-file) pgrep -f "launcher.jar mount $DIR/file.img" || true ;;
        jiomap-nvme) pgrep -f "launcher.jar mount --device=nvme-like $SHM/nvme.img" || true ;;
        bindfs) pgrep -f "bindfs $DIR/bindfs-src" || true ;;
        *) ;;
    esac
}
for n in "${NAMES[@]}"; do
    fio --name=fill --filename="${TARGET[$n]}/f" --size=$SIZE --bs=1M --rw=write --direct=1 --ioengine=psync \
        >/dev/null
done

run() {   # name qd -> "iops cpu_us_per_io"
    local pids
    read -r -a pids <<<"$(server_pids "$1" | tr '\n' ' ')"
    fio_write_point "${TARGET[$1]}/f" "$SIZE" "$SECS" "$2" "${pids[@]}"
}

declare -A RES
for round in $(seq 1 "$ROUNDS"); do
    echo "Round $round (load average $(cut -d' ' -f1 /proc/loadavg) at the start): IOPS, then CPU µs per I/O (fio + server)"
    echo
    echo "| QD | jiomap-file | jiomap-nvme | bindfs | kernel-xfs |"
    echo "|---|---|---|---|---|"
    for qd in "${QDS[@]}"; do
        row="| $qd |"
        for n in "${NAMES[@]}"; do
            r="$(run "$n" "$qd")"
            RES[$n,$qd]+="${r%% *} "
            row+=" ${r%% *} (${r##* } µs) |"
        done
        echo "$row"
    done
    echo
done
echo "Median IOPS of $ROUNDS rounds:"
echo
echo "| QD | jiomap-file | jiomap-nvme | bindfs | kernel-xfs | jiomap-file/bindfs | jiomap-file/kernel-xfs |"
echo "|---|---|---|---|---|---|---|"
for qd in "${QDS[@]}"; do
    python3 - "$qd" "${RES[jiomap-file,$qd]}" "${RES[jiomap-nvme,$qd]}" "${RES[bindfs,$qd]}" "${RES[kernel-xfs,$qd]}" <<'PY'
import statistics, sys
m = [statistics.median(int(x) for x in col.split()) for col in sys.argv[2:]]
print(f"| {sys.argv[1]} | {m[0]:.0f} | {m[1]:.0f} | {m[2]:.0f} | {m[3]:.0f} | {m[0]/m[2]:.2f} | {m[0]/m[3]:.2f} |")
PY
done
"${JM[@]}" umount "$DIR/m-file" >/dev/null
"${JM[@]}" umount "$DIR/m-nvme" >/dev/null
echo
echo "Where the engine completed each jiomap mount's I/O (the fill and every round), as the mount reported at unmount:"
echo
echo "- jiomap-file: $(grep -h 'completions:' "$DIR/file.img.mount.log" | tail -n 1 | sed 's/^jiomap mount: //')"
echo "- jiomap-nvme: $(grep -h 'completions:' "$SHM/nvme.img.mount.log" | tail -n 1 | sed 's/^jiomap mount: //')"
