#!/usr/bin/env bash
# Runs workloads W1-W5 against Mq (over TCP and over a Unix socket), NATS and Redis in one go (and W3, W4 against
# bare NetMQ through a minimal relay, the floor any NetMQ-based broker stands on) and prints one table with Mq's
# ratio to each. Then the durable workloads D1-D3 against Mq's streams and NATS JetStream (file storage), at the
# issue's counts whatever SCALE says (DURABLE_SCALE changes them; DURABLE=0 skips them).
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
DURABLE=${DURABLE:-1}
DURABLE_SCALE=${DURABLE_SCALE:-1}
# The durable broker's memory budget: D3 fills a stream of ten times this on disk (a GiB at DURABLE_SCALE=1).
DURABLE_HEAP=${DURABLE_HEAP:-0x6400000}
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

if [[ $DURABLE == 1 ]]; then
  # Durable servers of their own, so their disks and heaps do not touch the in-memory runs. Debian's nats-server
  # (2.9) acknowledges a JetStream publish before its fsync and syncs every 2 minutes; Mq is measured both with its
  # default (an fsync before every acknowledgement) and with a 1 s loss window.
  JS_PORT=$("${BENCH[@]}" free-port)
  nats-server -a 127.0.0.1 -p "$JS_PORT" -js -sd "$RESULTS/js-store" >"$RESULTS/jetstream-server.log" 2>&1 &
  pids+=($!)
  MQ_DURABLE_PORT=$("${BENCH[@]}" free-port)
  DOTNET_GCHeapHardLimit=$DURABLE_HEAP dotnet "$ROOT/src/Broker/bin/Release/net10.0/Mq.Broker.dll" \
    --endpoint "tcp://127.0.0.1:$MQ_DURABLE_PORT" --Broker:StoreDirectory="$RESULTS/mq-store" >"$RESULTS/mq-durable-broker.log" 2>&1 &
  MQ_DURABLE_PID=$!
  pids+=("$MQ_DURABLE_PID")
fi

wait_for_line "$RESULTS/nats-server.log" "Server is ready" 30
wait_for_line "$RESULTS/redis-server.log" "Ready to accept connections" 30
wait_for_line "$RESULTS/mq-broker.log" "ready on tcp://" 30
if [[ $DURABLE == 1 ]]; then
  wait_for_line "$RESULTS/jetstream-server.log" "Server is ready" 30
  wait_for_line "$RESULTS/mq-durable-broker.log" "ready on tcp://" 30
fi

deadline=$((SECONDS + TOTAL_TIMEOUT))
# run <name> <round> [tool arguments...]: results go to <name>.<round>.txt; RUN_SYSTEM (default: the name) and
# RUN_SCALE (default: SCALE) may be set for one call.
run() {
  local name=$1 round=$2 left=$((deadline - SECONDS))
  shift 2
  echo "== $name, round $round of $REPEAT" >&2
  timeout "$((left > 1 ? left : 1))" "${BENCH[@]}" --system "${RUN_SYSTEM:-$name}" --scale "${RUN_SCALE:-$SCALE}" \
    --timeout "$WORKLOAD_TIMEOUT" "$@" | tee "$RESULTS/$name.$round.txt" >&2 \
    || echo "$name: the run reported failures or ran out of time (see above)" >&2
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
  if [[ $DURABLE == 1 ]]; then
    MQ_BENCH_FSYNC_EVERY_MS=1000 RUN_SYSTEM=mq RUN_SCALE=$DURABLE_SCALE run mq-1s "$round" --label mq-1s \
      --endpoint "tcp://127.0.0.1:$MQ_DURABLE_PORT" --broker-pid "$MQ_DURABLE_PID" --workloads D1 D2 D3
    RUN_SYSTEM=mq RUN_SCALE=$DURABLE_SCALE run mq-always "$round" --label mq-always \
      --endpoint "tcp://127.0.0.1:$MQ_DURABLE_PORT" --broker-pid "$MQ_DURABLE_PID" --workloads D1
    RUN_SCALE=$DURABLE_SCALE run jetstream "$round" --endpoint "nats://127.0.0.1:$JS_PORT" --workloads D1 D2
  fi
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
    if ("stream_payload_mb" in f) payload[sk] = f["stream_payload_mb"]
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
    if (!(("mq-1s" SUBSEP "D1/msgs_per_s") in n) && !(("jetstream" SUBSEP "D1/msgs_per_s") in n)) exit
    print ""
    print "| durable: streams against JetStream (file storage) | Mq, fsync every 1 s | Mq, fsync before every ack | JetStream | Mq 1 s/JetStream | Mq every ack/JetStream | target |"
    print "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
    printf "| D1 durable publish, 128 B, 64 in flight, msgs/s | %s | %s | %s | %s | %s | >= 1.0x JetStream |\n", cell("mq-1s", "D1/msgs_per_s"), cell("mq-always", "D1/msgs_per_s"), cell("jetstream", "D1/msgs_per_s"), between("mq-1s", "D1/msgs_per_s", "jetstream"), between("mq-always", "D1/msgs_per_s", "jetstream")
    printf "| D1 broker CPU s per million msgs | %s | %s | | | | |\n", cell("mq-1s", "D1/broker_cpu_s_per_million"), cell("mq-always", "D1/broker_cpu_s_per_million")
    printf "| D2 replay of a filled stream, 128 B, msgs/s | %s | | %s | %s | | >= 1.5x JetStream |\n", cell("mq-1s", "D2/msgs_per_s"), cell("jetstream", "D2/msgs_per_s"), between("mq-1s", "D2/msgs_per_s", "jetstream")
    printf "| D2 broker peak RSS through fill and replay, MB | %s | | | | | |\n", cell("mq-1s", "D2/broker_peak_rss_mb")
    printf "| D3 replay, 64 KiB, msgs/s | %s | | | | | |\n", cell("mq-1s", "D3/msgs_per_s")
    d3 = "mq-1s" SUBSEP "D3/broker_peak_rss_mb"
    printf "| D3 broker peak RSS, MB, with %s MB of stream on disk | %s | | | | | bounded: far below the stream |\n", (d3 in payload) ? payload[d3] : "?", cell("mq-1s", "D3/broker_peak_rss_mb")
  }'
echo
[[ $DURABLE == 1 ]] && echo "durable broker: DOTNET_GCHeapHardLimit=$DURABLE_HEAP ($((DURABLE_HEAP / 1048576)) MiB), durable scale $DURABLE_SCALE"
echo "raw results and server logs: $RESULTS"
