#!/usr/bin/env bash
# Stop the example cluster started by ./start-cluster.sh (by pid; the data stays in ./data).
set -uo pipefail
cd "$(dirname "$0")"
for n in 1 2 3; do
  [ -f "data/n$n.pid" ] && kill "$(cat "data/n$n.pid")" 2>/dev/null
  rm -f "data/n$n.pid"
done
