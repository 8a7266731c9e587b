#!/usr/bin/env bash
# Stops the dockerd that scripts/ci-setup.sh started, by its PID.
set -uo pipefail
cd "$(dirname "$0")/.."
pidfile="TestResults/dockerd/dockerd.pid"
[ -f "$pidfile" ] || exit 0
pid="$(cat "$pidfile")"
kill -TERM "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -KILL "$pid" 2>/dev/null || true
rm -f "$pidfile"
