#!/usr/bin/env bash
# `jiomap serve nbd` against nbdkit's memory plugin, both driven by fio's own nbd engine over a Unix socket, interleaved
# per QD so that all see the same machine: 4 KiB random writes. jiomap serves a memory device twice, with the device's
# default completion (a device thread, as a real device's interrupt) and with completion=submitter (the device copies on
# the submitting thread, as nbdkit's memory plugin does). Every export is written in full first, so every measured
# write is an overwrite.
# Usage: bench/nbd-export-vs-nbdkit.sh [SECONDS] [ROUNDS] [QDS] [CHECKOUT...]   (from the repository root, after
# ./jiomap has built dist). QDS is a quoted list, "1 2 4 8 16" by default. With CHECKOUTs (directories whose
# launcher/target/dist is built, as for bench/ab-builds.sh), each of them serves both exports instead of this checkout,
# so two builds are compared in one run; a round runs the servers in the opposite order of the round before. Prints
# one markdown table per round, then the medians and the spread (min-max); every number is what fio printed.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
SECS="${1:-4}"
ROUNDS="${2:-2}"
read -r -a QDS <<<"${3:-1 2 4 8 16}"
shift $(( $# < 3 ? $# : 3 ))
CHECKOUTS=("$@")
# shellcheck source=bench/jdk.sh
source bench/jdk.sh
if [[ ${#CHECKOUTS[@]} -eq 0 ]]; then
    CHECKOUTS=(.)
    LABELS=(jiomap)
else
    LABELS=()
    for dir in "${CHECKOUTS[@]}"; do
        [[ -f "$dir/launcher/target/dist/launcher.jar" ]] \
            || { echo "$(basename "$0"): $dir has no launcher/target/dist/launcher.jar: build it first" >&2; exit 1; }
        LABELS+=("$(basename "$(readlink -f "$dir")")")
    done
fi

DIR="$(mktemp -d /tmp/nbd-export.XXXXXX)"
PIDS=()
# A server killed here exits non-zero: `|| true` keeps errexit from skipping the rest of the list.
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$DIR"' EXIT
nbdkit -f --exit-with-parent -U "$DIR/nbdkit.sock" memory size=1G >"$DIR/nbdkit.log" 2>&1 &
PIDS+=($!)
NAMES=(nbdkit)
HEADER="nbdkit memory"
for i in "${!CHECKOUTS[@]}"; do
    for completion in thread submitter; do
        name="${LABELS[$i]}-$completion"
        device="memory:size=1g"
        [[ $completion == submitter ]] && device+=",completion=submitter"
        "${JM[0]}" "${JM[@]:1:2}" -jar "${CHECKOUTS[$i]}/launcher/target/dist/launcher.jar" serve nbd \
            --device="$device" --socket="$DIR/$name.sock" >"$DIR/$name.log" 2>&1 &
        PIDS+=($!)
        NAMES+=("$name")
        HEADER+=" | ${LABELS[$i]} serve, memory completion=$completion"
    done
done
for s in "${NAMES[@]}"; do
    for _ in $(seq 600); do [[ -S "$DIR/$s.sock" ]] && break; sleep 0.05; done
    [[ -S "$DIR/$s.sock" ]] || { echo "$s did not start:" >&2; cat "$DIR/$s.log" >&2; exit 1; }
done
for s in "${NAMES[@]}"; do
    fio --name=fill --ioengine=nbd --uri="nbd+unix:///?socket=$DIR/$s.sock" --rw=write --bs=1M --size=1G --iodepth=4 \
        >/dev/null
done
iops() { sed -n '/^{/,$p' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["jobs"][0]["write"]["iops"]))'; }
declare -A RES
for round in $(seq 1 "$ROUNDS"); do
    order=("${NAMES[@]}")
    if (( round % 2 == 0 )); then
        order=()
        for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do order+=("${NAMES[$i]}"); done
    fi
    echo "Round $round (load average $(cut -d' ' -f1 /proc/loadavg) at the start):"
    echo
    echo "| QD | $HEADER |"
    echo "|---|$(printf -- '---|%.0s' "${NAMES[@]}")"
    for qd in "${QDS[@]}"; do
        for s in "${order[@]}"; do
            v=$(fio --name=x --ioengine=nbd --uri="nbd+unix:///?socket=$DIR/$s.sock" --size=1G --time_based=1 \
                --runtime="$SECS" --bs=4096 --rw=randwrite --norandommap --iodepth="$qd" --output-format=json | iops)
            RES[$s,$qd]+="$v "
        done
        row="| $qd |"
        for s in "${NAMES[@]}"; do
            row+=" $(echo "${RES[$s,$qd]}" | awk '{print $NF}') |"
        done
        echo "$row"
    done
    echo
done
echo "Median (min-max) of $ROUNDS rounds, and each median over nbdkit's:"
echo
head="| QD |"
for s in "${NAMES[@]}"; do head+=" $s |"; done
for s in "${NAMES[@]:1}"; do head+=" $s/nbdkit |"; done
echo "$head"
echo "|---|$(printf -- '---|%.0s' "${NAMES[@]}" "${NAMES[@]:1}")"
for qd in "${QDS[@]}"; do
    cols=()
    for s in "${NAMES[@]}"; do cols+=("${RES[$s,$qd]}"); done
    python3 - "$qd" "${cols[@]}" <<'PY'
import statistics, sys
runs = [[int(x) for x in col.split()] for col in sys.argv[2:]]
m = [statistics.median(r) for r in runs]
cells = [f"{m[i]:.0f} ({min(r)}-{max(r)})" for i, r in enumerate(runs)]
cells += [f"{v / m[0]:.2f}" for v in m[1:]]
print(f"| {sys.argv[1]} | " + " | ".join(cells) + " |")
PY
done
