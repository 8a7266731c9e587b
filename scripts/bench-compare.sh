#!/usr/bin/env bash
# Runs workloads W1-W5 against Mq (over TCP and over a Unix socket), NATS and Redis in one go (and W3, W4 against
# bare NetMQ through a minimal relay, the floor any NetMQ-based broker stands on) and prints one table with Mq's
# ratio to each.
# Installs nats-server and redis-server from Debian if missing. Servers listen on 127.0.0.1, on free ports,
# and are stopped by PID on exit. Bounded: each workload by WORKLOAD_TIMEOUT, the whole run by TOTAL_TIMEOUT.
#
#   scripts/bench-compare.sh                # the issue's message counts
#   SCALE=0.1 scripts/bench-compare.sh      # a quick run with a tenth of the messages
#   REPEAT=1 scripts/bench-compare.sh       # one round instead of the median of three
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCALE=${SCALE:-1}
WORKLOAD_TIMEOUT=${WORKLOAD_TIMEOUT:-120}
TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-3600}
REPEAT=${REPEAT:-3}
RESULTS=${RESULTS:-$(mktemp -d /tmp/mq-bench.XXXXXX)}
mkdir -p "$RESULTS"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits for a line containing $2 in log $1, at most $3 seconds: the servers say when they are ready.
wait_for_line() {
  local log=$1 pattern=$2 limit=$3 fd line
  exec {fd}< <(timeout "$limit" tail -n +1 -F "$log" 2>/dev/null)
  local reader=$!
  while IFS= read -r -u "$fd" line; do
    if [[ $line == *"$pattern"* ]]; then
      kill "$reader" 2>/dev/null || true
      exec {fd}<&-
      return 0
    fi
  done
  exec {fd}<&-
  echo "no '$pattern' in $log within ${limit}s:" >&2
  tail -n 20 "$log" >&2
  return 1
}

if ! command -v nats-server >/dev/null || ! command -v redis-server >/dev/null; then
  SUDO=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y nats-server redis-server
fi

echo "building Release..." >&2
dotnet build "$ROOT/src/Broker/Mq.Broker.csproj" -c Release --nologo -v quiet >&2
dotnet build "$ROOT/benchmarks/Mq.Benchmarks/Mq.Benchmarks.csproj" -c Release --nologo -v quiet >&2
BENCH=(dotnet "$ROOT/benchmarks/Mq.Benchmarks/bin/Release/net10.0/Mq.Benchmarks.dll")

NATS_PORT=$("${BENCH[@]}" free-port)
nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$RESULTS/nats-server.log" 2>&1 &
pids+=($!)
REDIS_PORT=$("${BENCH[@]}" free-port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no >"$RESULTS/redis-server.log" 2>&1 &
pids+=($!)
MQ_PORT=$("${BENCH[@]}" free-port)
MQ_SOCKET="$RESULTS/mq.sock"
dotnet "$ROOT/src/Broker/bin/Release/net10.0/Mq.Broker.dll" --endpoint "tcp://127.0.0.1:$MQ_PORT" --endpoint "unix://$MQ_SOCKET" \
  >"$RESULTS/mq-broker.log" 2>&1 &
MQ_PID=$!
pids+=("$MQ_PID")

wait_for_line "$RESULTS/nats-server.log" "Server is ready" 30
wait_for_line "$RESULTS/redis-server.log" "Ready to accept connections" 30
wait_for_line "$RESULTS/mq-broker.log" "ready on tcp://" 30

deadline=$((SECONDS + TOTAL_TIMEOUT))
# run <system> <round> [tool arguments...]
run() {
  local system=$1 round=$2 left=$((deadline - SECONDS))
  shift 2
  echo "== $system, round $round of $REPEAT" >&2
  timeout "$((left > 1 ? left : 1))" "${BENCH[@]}" --system "$system" --scale "$SCALE" --timeout "$WORKLOAD_TIMEOUT" "$@" \
    | tee "$RESULTS/$system.$round.txt" >&2 \
    || echo "$system: the run reported failures or ran out of time (see above)" >&2
}

# Rounds interleave the systems, so a slow minute on a shared machine hurts all of them, not one.
for round in $(seq "$REPEAT"); do
  run mq "$round" --endpoint "tcp://127.0.0.1:$MQ_PORT" --broker-pid "$MQ_PID"
  # The same broker and client over its Unix socket endpoint.
  run mq-unix "$round" --endpoint "unix://$MQ_SOCKET" --broker-pid "$MQ_PID"
  # The client's tcp:// over NetMQ's DEALER instead of its own ZMTP stream: what the transport is worth.
  run mq-netmq "$round" --endpoint "tcp://127.0.0.1:$MQ_PORT" --workloads W3 W4
  # The same client without flow control: what the zero-loss guarantee costs.
  run mq-plain "$round" --endpoint "tcp://127.0.0.1:$MQ_PORT" --workloads W1 W2 W5
  # Remote objects: the same echo through a generated proxy and dispatcher.
  run mq-rpc "$round" --endpoint "tcp://127.0.0.1:$MQ_PORT" --workloads W3 W4
  run nats "$round" --endpoint "nats://127.0.0.1:$NATS_PORT"
  run redis "$round" --endpoint "127.0.0.1:$REDIS_PORT"
  # The floor: bare NetMQ through a minimal relay the tool starts itself (request/reply only).
  run netmq "$round" --workloads W3 W4
done

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), scale $SCALE," \
  "median of $REPEAT round(s) (range in brackets); nats-server $(nats-server --version | awk '{print $2}'), redis $(redis-server --version | awk '{print $3}' | cut -d= -f2)"
cat "$RESULTS"/*.txt 2>/dev/null | { grep '^BENCH ' || true; } | awk '
  {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["workload"] "/" f["metric"]
    sk = f["system"] SUBSEP key
    if (f["value"] == "na") { value[sk] = "na"; next }
    n[sk]++
    runs[sk, n[sk]] = f["value"] + 0
    if (f["lost"] != "na") lost[sk] += f["lost"]
  }
  # The median of the rounds (insertion sort: plain awk has none); also notes the range.
  function median(sk,    i, j, m, v, sorted) {
    m = n[sk]
    for (i = 1; i <= m; i++) {
      v = runs[sk, i]
      for (j = i - 1; j >= 1 && sorted[j] > v; j--) sorted[j + 1] = sorted[j]
      sorted[j + 1] = v
    }
    low[sk] = sorted[1]; high[sk] = sorted[m]
    return m % 2 ? sorted[(m + 1) / 2] : (sorted[m / 2] + sorted[m / 2 + 1]) / 2
  }
  function number(v) { return v >= 100 ? sprintf("%.0f", v) : sprintf("%.3g", v) }
  function cell(s, k,    sk, v, text) {
    sk = s SUBSEP k
    if (value[sk] == "na") return "na"
    if (!(sk in n)) return "-"
    v = median(sk)
    text = number(v)
    if (n[sk] > 1) text = text " [" number(low[sk]) "-" number(high[sk]) "]"
    return lost[sk] > 0 ? text " (lost " lost[sk] " in all)" : text
  }
  # mq-rpc against mq: what the proxy costs.
  function inverse(k,    a, b) {
    if (!(("mq" SUBSEP k) in n) || !(("mq-rpc" SUBSEP k) in n)) return "n/a"
    a = median("mq-rpc" SUBSEP k); b = median("mq" SUBSEP k)
    return b == 0 ? "n/a" : sprintf("%.2f", a / b)
  }
  function ratio(k, other) { return between("mq", k, other) }
  function between(s, k, other,    a, b) {
    if (!((s SUBSEP k) in n) || !((other SUBSEP k) in n)) return "n/a"
    a = median(s SUBSEP k); b = median(other SUBSEP k)
    return b == 0 ? "n/a" : sprintf("%.2f", a / b)
  }
  END {
    count = split("W1/msgs_per_s W2/msgs_per_s W3/p50_us W3/p99_us W4/requests_per_s W5/mb_per_s", rows, " ")
    split("1 pub -> 1 sub, 128 B, msgs/s|1 pub -> 4 subs, 128 B, deliveries/s|sequential req/rep, p50 us (lower is better)|sequential req/rep, p99 us (lower is better)|64 in flight, requests/s|64 KiB pub/sub, MB/s", names, "|")
    split(">= 1.5x NATS, >= 1.0x Redis, 0 lost|>= 1.5x NATS|<= 1.0x NATS, <= 1.05x floor|<= 1.2x NATS|>= 1.5x NATS, >= 1.1x floor|>= 1.0x NATS", targets, "|")
    print "| workload | Mq | Mq, plain subscriptions | NATS | Redis | NetMQ floor | Mq/NATS | Mq/Redis | Mq/floor | target |"
    print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    for (i = 1; i <= count; i++) {
      k = rows[i]
      printf "| %s %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", substr(k, 1, 2), names[i], cell("mq", k), cell("mq-plain", k), cell("nats", k), cell("redis", k), cell("netmq", k), ratio(k, "nats"), ratio(k, "redis"), ratio(k, "netmq"), targets[i]
    }
    # Idle means a fresh broker: only the first round has one.
    idle = "mq" SUBSEP "idle/broker_rss_mb"
    printf "| broker idle RSS, MB (fresh broker, round 1) | %s | | | | | | | | <= 60 |\n", (idle in n) ? number(runs[idle, 1]) : "-"
    printf "| W1 broker peak RSS, MB | %s | | | | | | | | |\n", cell("mq", "W1/broker_peak_rss_mb")
    printf "| W1 broker CPU s per million msgs | %s | | | | | | | | |\n", cell("mq", "W1/broker_cpu_s_per_million")
    printf "| W4 broker CPU s per million requests | %s | | | | | | | | |\n", cell("mq", "W4/broker_cpu_s_per_million")
    print ""
    print "| over a Unix socket (mq-unix) | Mq unix | NATS | Mq unix/NATS | Mq unix/Mq tcp | target |"
    print "| --- | ---: | ---: | ---: | ---: | --- |"
    split(">= 2x NATS, 0 lost|>= 2x NATS|<= 0.6x NATS|<= 1.0x NATS|>= 1.5x NATS|>= 1.5x NATS", unixTargets, "|")
    for (i = 1; i <= count; i++) {
      k = rows[i]
      printf "| %s %s | %s | %s | %s | %s | %s |\n", substr(k, 1, 2), names[i], cell("mq-unix", k), cell("nats", k), between("mq-unix", k, "nats"), between("mq-unix", k, "mq"), unixTargets[i]
    }
    print ""
    print "| request/reply over tcp:// | Mq (own ZMTP stream) | Mq over a NetMQ DEALER | NetMQ floor | Mq/floor | target |"
    print "| --- | ---: | ---: | ---: | ---: | --- |"
    printf "| W3 p50 µs | %s | %s | %s | %s | <= 1.05 |\n", cell("mq", "W3/p50_us"), cell("mq-netmq", "W3/p50_us"), cell("netmq", "W3/p50_us"), ratio("W3/p50_us", "netmq")
    printf "| W3 p99 µs | %s | %s | %s | %s | |\n", cell("mq", "W3/p99_us"), cell("mq-netmq", "W3/p99_us"), cell("netmq", "W3/p99_us"), ratio("W3/p99_us", "netmq")
    printf "| W4 requests/s | %s | %s | %s | %s | >= 1.1 |\n", cell("mq", "W4/requests_per_s"), cell("mq-netmq", "W4/requests_per_s"), cell("netmq", "W4/requests_per_s"), ratio("W4/requests_per_s", "netmq")
    print ""
    print "| remote objects: W3 and W4 through a generated proxy (mq-rpc) | Mq raw | Mq proxy | proxy/raw | target |"
    print "| --- | ---: | ---: | ---: | --- |"
    printf "| W3 p50 µs | %s | %s | %s | <= 1.1 |\n", cell("mq", "W3/p50_us"), cell("mq-rpc", "W3/p50_us"), inverse("W3/p50_us")
    printf "| W3 p99 µs | %s | %s | %s | |\n", cell("mq", "W3/p99_us"), cell("mq-rpc", "W3/p99_us"), inverse("W3/p99_us")
    printf "| W4 requests/s | %s | %s | %s | >= 0.91 |\n", cell("mq", "W4/requests_per_s"), cell("mq-rpc", "W4/requests_per_s"), inverse("W4/requests_per_s")
  }'
echo
echo "raw results and server logs: $RESULTS"
