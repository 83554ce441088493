#!/usr/bin/env bash
# Metadata-heavy work on a jiomap FUSE mount against the peers, each phase run on every target in turn within one
# round so that all of them see the same machine:
#   jiomap-xfs   xfs-like mounted by `jiomap mount` on an image on DIR (the file device)
#   jiomap-ext4  ext4-like mounted the same way
#   bindfs       Debian's bindfs over a directory on DIR (a FUSE filesystem people use)
#   kernel-xfs   the kernel's XFS on a loop device over an image on DIR (the reference no FUSE server reaches)
# Phases, each timed (wall seconds, from bash's clock): untar a tree of FILES small files (0 to 4 KiB, 100 per
# directory, a symbolic link and a hard link every 50 files), find over it, stat of every name (find -exec stat +),
# then rm -r. The tarball is made once, on DIR, before the first round.
# Usage: bench/fuse-metadata.sh [FILES] [ROUNDS] [DIR]   (as root, from the repository root, after ./jiomap has built
# dist). FILES defaults to 20000, ROUNDS to 2, DIR (where the images and the tarball live) to /var/tmp. Prints one
# markdown table per round, then the median of each cell; every number is what the clock said.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
FILES="${1:-20000}"
ROUNDS="${2:-2}"
BASE="${3:-/var/tmp}"
# shellcheck source=bench/jdk.sh
source bench/jdk.sh
for tool in bindfs mkfs.xfs losetup tar python3; do
    command -v "$tool" >/dev/null || { echo "fuse-metadata: $tool is missing" >&2; exit 1; }
done

DIR="$(mktemp -d "$BASE/fuse-metadata.XXXXXX")"
LOOP=""
cleanup() {
    for m in "$DIR/m-xfs-like" "$DIR/m-ext4-like" "$DIR/m-bindfs" "$DIR/m-kernel"; do
        mountpoint -q "$m" 2>/dev/null && umount "$m" 2>/dev/null || true
    done
    [[ -n "$LOOP" ]] && losetup -d "$LOOP" 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT
mkdir -p "$DIR"/m-xfs-like "$DIR"/m-ext4-like "$DIR"/m-bindfs "$DIR"/m-kernel "$DIR"/bindfs-src "$DIR"/src

python3 - "$DIR/src/tree" "$FILES" <<'PY'
import os, random, sys
root, files = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
for i in range(files):
    d = os.path.join(root, f"d{i // 1000}", f"s{(i // 100) % 10}")
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, f"f{i}")
    with open(p, "wb") as f:
        f.write(rnd.randbytes(rnd.randrange(0, 4097)))
    if i % 50 == 1:
        os.symlink(f"f{i - 1}", os.path.join(d, f"l{i}"))
    if i % 50 == 2:
        os.link(os.path.join(d, f"f{i - 2}"), os.path.join(d, f"h{i}"))
PY
tar -C "$DIR/src" -cf "$DIR/tree.tar" tree
rm -rf "$DIR/src"

for fs in xfs-like ext4-like; do
    "${JM[@]}" mkfs --fs=$fs --size=4g "$DIR/$fs.img" >/dev/null
    "${JM[@]}" mount --background -o default_permissions "$DIR/$fs.img" "$DIR/m-$fs" >/dev/null
done
bindfs "$DIR/bindfs-src" "$DIR/m-bindfs"
truncate -s 4g "$DIR/kernel.img"
LOOP="$(losetup --find --show --direct-io=on "$DIR/kernel.img")"
mkfs.xfs -q -f "$LOOP"
mount "$LOOP" "$DIR/m-kernel"

declare -A TARGET=([jiomap-xfs]="$DIR/m-xfs-like" [jiomap-ext4]="$DIR/m-ext4-like" [bindfs]="$DIR/m-bindfs"
                   [kernel-xfs]="$DIR/m-kernel")
NAMES=(jiomap-xfs jiomap-ext4 bindfs kernel-xfs)
PHASES=(untar find stat rm)

seconds() {   # command... -> wall seconds it took
    local start end
    start="$EPOCHREALTIME"
    "$@" >/dev/null
    end="$EPOCHREALTIME"
    python3 -c "print(f'{$end - $start:.2f}')"
}
phase() {   # phase target
    local t="$2"
    case "$1" in
        untar) seconds tar -C "$t" -xf "$DIR/tree.tar" ;;
        find) seconds find "$t/tree" ;;
        stat) seconds find "$t/tree" -exec stat -c '%i %h %a %u %Y' {} + ;;
        rm) seconds rm -r "$t/tree" ;;
    esac
}

declare -A RES
for round in $(seq 1 "$ROUNDS"); do
    echo "Round $round (load average $(cut -d' ' -f1 /proc/loadavg) at the start): seconds for $FILES files"
    echo
    echo "| phase | jiomap-xfs | jiomap-ext4 | bindfs | kernel-xfs |"
    echo "|---|---|---|---|---|"
    for p in "${PHASES[@]}"; do
        row="| $p |"
        for n in "${NAMES[@]}"; do
            # Each phase starts with what is cached of the mount dropped, so find and stat ask the filesystem.
            sync
            echo 2 >/proc/sys/vm/drop_caches
            s="$(phase "$p" "${TARGET[$n]}")"
            RES[$n,$p]+="$s "
            row+=" $s |"
        done
        echo "$row"
    done
    echo
done
echo "Median seconds of $ROUNDS rounds:"
echo
echo "| phase | jiomap-xfs | jiomap-ext4 | bindfs | kernel-xfs |"
echo "|---|---|---|---|---|"
for p in "${PHASES[@]}"; do
    python3 - "$p" "${RES[jiomap-xfs,$p]}" "${RES[jiomap-ext4,$p]}" "${RES[bindfs,$p]}" "${RES[kernel-xfs,$p]}" <<'PY'
import statistics, sys
m = [statistics.median(float(x) for x in col.split()) for col in sys.argv[2:]]
print(f"| {sys.argv[1]} | " + " | ".join(f"{v:.2f}" for v in m) + " |")
PY
done
for fs in xfs-like ext4-like; do
    "${JM[@]}" umount "$DIR/m-$fs" >/dev/null
    "${JM[@]}" fsck "$DIR/$fs.img" | tail -n 1
done
