#!/usr/bin/env bash
# Start the 3-node example cluster on this machine (docs/nats.md), each node in the background
# with its log in ./data/nN.log, and wait until JetStream answers. Stop it with ./stop-cluster.sh.
set -euo pipefail
cd "$(dirname "$0")"
command -v nats-server >/dev/null || { echo 'nats-server is not on PATH (Debian: apt-get install -y nats-server)' >&2; exit 1; }
mkdir -p data
for n in 1 2 3; do
  nats-server -c "n$n.conf" >"data/n$n.log" 2>&1 &
  echo $! >"data/n$n.pid"
done
for _ in $(seq 1 100); do
  # The monitoring endpoint names a meta leader once the cluster has formed.
  if curl -fsS http://127.0.0.1:8222/jsz 2>/dev/null | grep -q '"leader"'; then
    echo 'cluster ready: nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224'
    exit 0
  fi
  sleep 0.2
done
echo 'the cluster did not form within 20 s; see data/n*.log' >&2
exit 1
