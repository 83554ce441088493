#!/usr/bin/env bash
# Alternates `jiomap bench` between two built checkouts, so a change is measured against the code before it in one
# run, pair by pair (the machine's drift then hits both sides alike).
#
#   bench/ab-builds.sh BEFORE_DIR AFTER_DIR ROUNDS [bench options...]
#
# Each DIR is a checkout whose distribution is built (./jiomap builds it, or mvn -DskipTests package). Prints one
# line per run: the checkout's name, then the IOPS table of `jiomap bench` (QD, one column per mode, the gains) with
# its rows separated by ';'.
set -euo pipefail
if [[ $# -lt 3 ]]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
before="$1" after="$2" rounds="$3"
shift 3
# shellcheck source=bench/jdk.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/jdk.sh"
java="$JAVA"
for dir in "$before" "$after"; do
    [[ -f "$dir/launcher/target/dist/launcher.jar" ]] \
        || { echo "ab-builds: $dir has no launcher/target/dist/launcher.jar: build it first (./jiomap devices)" >&2; exit 1; }
done
for ((i = 1; i <= rounds; i++)); do
    for dir in "$before" "$after"; do
        table="$(cd "$dir" && "$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
            -jar launcher/target/dist/launcher.jar bench "$@" 2>/dev/null \
            | sed -n '/^IOPS/,/^$/p' | tail -n +3 | sed '/^$/d' | tr -s ' ' | tr '\n' ';')"
        echo "$(basename "$dir") $table"
    done
done
