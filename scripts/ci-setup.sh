#!/usr/bin/env bash
# Machine set-up for CI (called by .ci/run): Python's ZeroMQ and cryptography for the Python peer of
# tests/python (its test must not skip), Debian's chromium and chromium-driver for the dashboard's browser test
# (tests/Mq.BrowserTests; without them that test fails and says what to install), and Docker for the compose
# demo test. Installs Debian's docker.io and docker-compose if missing and starts dockerd (vfs storage, no
# iptables: what works in CI's sandbox), remembering its PID for scripts/ci-teardown.sh. Failing to get Docker
# is not fatal: the test then skips and says why.
set -uo pipefail
cd "$(dirname "$0")/.."
state="$(pwd)/TestResults/dockerd"
mkdir -p "$state"

if ! /usr/bin/python3 -c "import zmq, cryptography" >/dev/null 2>&1; then
  echo "installing python3-zmq and python3-cryptography..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$state/apt-python.log" 2>&1 && apt-get install -y -q python3-zmq python3-cryptography >>"$state/apt-python.log" 2>&1 \
    || { echo "could not install python3-zmq and python3-cryptography (see $state/apt-python.log)"; exit 1; }
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "installing chromium and chromium-driver..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$state/apt-chromium.log" 2>&1 && apt-get install -y -q chromium chromium-driver >>"$state/apt-chromium.log" 2>&1 \
    || echo "could not install chromium and chromium-driver (see $state/apt-chromium.log); the browser test will fail saying so"
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; then
  echo "installing docker.io and docker-compose..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$state/apt.log" 2>&1 && apt-get install -y -q docker.io docker-compose >>"$state/apt.log" 2>&1 \
    || { echo "could not install Docker (see $state/apt.log); the compose demo test will be skipped"; exit 0; }
fi

if docker info >/dev/null 2>&1; then
  echo "Docker is already running"
  exit 0
fi

dockerd --storage-driver=vfs --iptables=false >"$state/dockerd.log" 2>&1 &
echo $! >"$state/dockerd.pid"
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && { echo "dockerd started (pid $(cat "$state/dockerd.pid"))"; exit 0; }
  sleep 0.5
done
echo "dockerd did not start (see $state/dockerd.log); the compose demo test will be skipped"
exit 0
