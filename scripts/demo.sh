#!/usr/bin/env bash
# The docker-compose demo as local processes, with the same services, commands and options as
# docker-compose.yml: a broker, one publisher, a plain subscriber and a queue-group pair of workers.
# Ctrl+C stops everything cleanly. Set MQ_DEMO_PORT to use another port than 5555.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${MQ_DEMO_PORT:-5555}"
broker="tcp://127.0.0.1:${port}"
work="$(mktemp -d)"
pids=()

stop() {
  trap - INT TERM EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    echo "stopping the demo..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo "building..."
dotnet build Mq.sln -c Release -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

# start NAME PROJECT ARGS...: runs src/PROJECT's build output, each line of output prefixed with NAME.
start() {
  local name="$1" project="$2"; shift 2
  dotnet "src/${project}/bin/Release/net10.0/Mq.${project}.dll" "$@" > >(sed -u "s/^/${name} | /" | tee -a "$work/${name}.log") 2>&1 &
  pids+=("$!")
}

start broker      Broker     --endpoint "$broker"
for _ in $(seq 1 300); do grep -q "ready on" "$work/broker.log" 2>/dev/null && break; sleep 0.1; done
grep -q "ready on" "$work/broker.log" || { echo "the broker did not start"; exit 1; }

start subscriber  Subscriber demo --broker "$broker" --name subscriber --topic 'demo.>'
start worker-1    Subscriber demo --broker "$broker" --name worker-1 --topic 'demo.>' --group workers
start worker-2    Subscriber demo --broker "$broker" --name worker-2 --topic 'demo.>' --group workers
start publisher   Publisher  demo --broker "$broker" --name publisher --topic demo.ticks --rate 2 --stats-every 3

echo "demo running on ${broker}; press Ctrl+C to stop"
wait -n "${pids[@]}" || true
