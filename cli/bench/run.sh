#!/usr/bin/env bash
# Compares `seclog detect` and `seclog summary` with jq answering the same
# question (failed logins per address) over one generated log, side by side
# in one run, and reports throughput and peak memory.
#
#   bash cli/bench/run.sh [SIZE_MIB]     # default 1024 (1 GiB)
#
# The log is written by real audited handlers (cli/examples/attack_log.rs)
# with planted attacks. Needs jq and GNU time (/usr/bin/time); installs jq
# with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

size_mib=${1:-1024}
work=${BENCH_DIR:-$(mktemp -d)}
log="$work/attack.log"

command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release -q -p seclog-cli --bin seclog --example attack_log
seclog=target/release/seclog
gen=target/release/examples/attack_log

# About 1,450 bytes of records per invocation: measure, then scale.
"$gen" 20000 > "$log"
per=$(( $(stat -c %s "$log") / 20000 ))
invocations=$(( size_mib * 1024 * 1024 / per ))
echo "generating $size_mib MiB: $invocations invocations of audited handlers..."
"$gen" "$invocations" > "$log"
bytes=$(stat -c %s "$log")
records=$(wc -l < "$log")
# A full disk makes the sink drop records (it never fails the handler).
if [ "$bytes" -lt $(( size_mib * 1024 * 1024 * 9 / 10 )) ]; then
    echo "the log is only $bytes bytes: is $work's disk full?" >&2
    exit 1
fi
echo "log: $bytes bytes, $records records ($log)"
cat "$log" > /dev/null  # every run reads from the page cache

measure() { # name, command...: prints name, wall and CPU seconds, MiB/s, peak RSS MiB
    local name=$1; shift
    local out="$work/$name.out" tv="$work/$name.time"
    /usr/bin/time -f '%e %U %S %M' -o "$tv" "$@" > "$out" 2>/dev/null
    read -r secs user sys rss_kb < "$tv"
    awk -v n="$name" -v s="$secs" -v c="$user" -v k="$sys" -v b="$bytes" -v r="$rss_kb" \
        'BEGIN { printf "%-34s %8.2f s %8.2f s %9.1f MiB/s %9.1f MiB\n", n, s, c + k, b/1048576/s, r/1024 }'
    echo "$secs" > "$work/$name.secs"
    awk -v c="$user" -v k="$sys" 'BEGIN { print c + k }' > "$work/$name.cpu"
}

jq_failed_per_address() {
    jq -r 'select((.seclog.owasp // "") | startswith("authn_login_fail:")) | .source.ip // .source.address' "$log" \
        | sort | uniq -c | sort -rn
}
export -f jq_failed_per_address
export log

echo
printf '%-34s %10s %10s %15s %13s\n' "command" "wall" "CPU" "throughput" "peak RSS"
measure "jq (failed logins per address)" bash -c jq_failed_per_address
measure "seclog detect" "$seclog" detect -q "$log"
measure "seclog summary" "$seclog" summary -q "$log"
measure "seclog blocklist" "$seclog" blocklist -q "$log"
echo
# Throughput is wall time (seclog parses on every core, jq on one); CPU
# time is the work done, which other load on the machine does not change.
jq_s=$(cat "$work/jq (failed logins per address).secs")
jq_c=$(cat "$work/jq (failed logins per address).cpu")
for name in "seclog detect" "seclog summary"; do
    s=$(cat "$work/$name.secs"); c=$(cat "$work/$name.cpu")
    awk -v n="$name" -v a="$jq_s" -v b="$s" -v x="$jq_c" -v y="$c" \
        'BEGIN { printf "%-16s %6.1fx jq'"'"'s throughput, %5.1fx less CPU time\n", n, a/b, x/y }'
done
echo
echo "top failing addresses, jq:"
head -3 "$work/jq (failed logins per address).out"
echo "seclog detect:"
cat "$work/seclog detect.out" | cut -c1-120
[ -n "${BENCH_DIR:-}" ] || rm -rf "$work"
