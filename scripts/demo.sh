#!/usr/bin/env bash
# The docker-compose demo as local processes, with the same services, commands and options as
# docker-compose.yml: a broker, one publisher, a plain subscriber and a queue-group pair of workers.
# Ctrl+C stops everything cleanly. Set MQ_DEMO_PORT to use another port than 5555.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${MQ_DEMO_PORT:-5555}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  echo "MQ_DEMO_PORT='${port}' is not a port number (1 to 65535)" >&2
  exit 1
fi

# Before the build, so a taken port costs nothing: something already accepts connections there.
if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
  echo "port ${port} is already in use on 127.0.0.1: stop what listens there, or set MQ_DEMO_PORT to a free port" >&2
  exit 1
fi

broker="tcp://127.0.0.1:${port}"
work="$(mktemp -d)"
# The plain subscriber connects through the broker's Unix socket, as in docker-compose.yml; the others over TCP.
unix="unix://${work}/broker.sock"
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

# The build is skipped when no source, project or build setting is newer than the last good build's stamp
# (folders count too: adding or deleting a file changes its folder's time).
stamp="src/Broker/bin/Release/net10.0/.demo-built"
changed() {
  [ ! -f "$stamp" ] && return 0
  [ -n "$(find src Directory.Build.props Directory.Packages.props global.json \
    \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit)" ]
}

if changed; then
  echo "building the broker and the peers (Release)..."
  projects=(src/Broker/Mq.Broker.csproj src/Publisher/Mq.Publisher.csproj src/Subscriber/Mq.Subscriber.csproj)
  for project in "${projects[@]}"; do
    # dotnet's minimal output, live: a line per project built, and any error as it comes.
    if ! dotnet build "$project" -c Release -nologo -v minimal -clp:NoSummary 2>&1 | tee "$work/build.log" | sed -u 's/^/  /'; then
      echo "the build of ${project} failed; its errors:" >&2
      grep -E ': error ' "$work/build.log" | sed 's/^ *//' | sort -u >&2 || true
      exit 1
    fi
  done
  touch "$stamp"
else
  echo "build is up to date (nothing changed since the last build)"
fi

# start NAME PROJECT ARGS...: runs src/PROJECT's build output, each line of output prefixed with NAME.
start() {
  local name="$1" project="$2"; shift 2
  dotnet "src/${project}/bin/Release/net10.0/Mq.${project}.dll" "$@" > >(sed -u "s/^/${name} | /" | tee -a "$work/${name}.log") 2>&1 &
  pids+=("$!")
}

start broker      Broker     --endpoint "$broker" --endpoint "$unix"
for _ in $(seq 1 300); do grep -q "ready on" "$work/broker.log" 2>/dev/null && break; sleep 0.1; done
grep -q "ready on" "$work/broker.log" || { echo "the broker did not start (see its lines above)" >&2; exit 1; }

start subscriber  Subscriber demo --broker "$unix" --name subscriber --topic 'demo.>'
start worker-1    Subscriber demo --broker "$broker" --name worker-1 --topic 'demo.>' --group workers
start worker-2    Subscriber demo --broker "$broker" --name worker-2 --topic 'demo.>' --group workers
start publisher   Publisher  demo --broker "$broker" --name publisher --topic demo.ticks --rate 2 --stats-every 3

echo "demo running on ${broker}; press Ctrl+C to stop"
wait -n "${pids[@]}" || true
