# Sourced by the FUSE benchmarks: the CPU time of a set of processes, and one measured point of fio's 4 KiB random
# O_DIRECT writes through io_uring with the CPU it cost.

ticks() {   # usr+sys clock ticks of the given pids
    local t=0 p
    for p in "$@"; do
        [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$t"
}

# fio_write_point FILE SIZE SECONDS QD [PID...] -> "iops cpu_us_per_io": fio's own CPU plus the CPU the given server
# processes used meanwhile, per I/O.
fio_write_point() {
    local file="$1" size="$2" secs="$3" qd="$4" before out after
    shift 4
    before="$(ticks "$@")"
    out="$(fio --name=x --filename="$file" --size="$size" --bs=4k --rw=randwrite --direct=1 \
        --ioengine=io_uring --iodepth="$qd" --time_based=1 --runtime="$secs" --norandommap --output-format=json)"
    after="$(ticks "$@")"
    python3 - "$out" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
d = json.loads(sys.argv[1][sys.argv[1].index("{"):])
j = d["jobs"][0]
ios = j["write"]["total_ios"]
cpu_ms = float(j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"]  # fio's own CPU, in ms
server_ms = int(sys.argv[2]) * 1000 / int(sys.argv[3])
print(round(j["write"]["iops"]), f"{(cpu_ms + server_ms) * 1000 / max(ios, 1):.1f}")
PY
}
