#!/usr/bin/env bash
# Cluster figures for the notes and the README: a 24-stage toy sweep (1 training, 1 PCA,
# 11 chains of 1000 samples, 11 evaluations) run by an orchestrator node with 1 and then 2
# worker nodes (separate JVMs and stores, on 127.0.0.1): sweep wall time and stages per minute.
# Usage: bench/cluster.sh [OUT]   (default /tmp/subspace-cluster-bench); about 2 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/subspace-cluster-bench}"
rm -rf "$out" && mkdir -p "$out"
cd "$root"
./subspace --version >/dev/null
args=(config/sweeps/toy-regression.conf -D training.epochs=300 -D training.swag.start-epoch=200
  -D inference.samples=1000 -D "inference.temperatures=[0.5,1,1.5,2,3,4,5,7,10,15,20]"
  -D evaluation.grid.enabled=false)
port=25600
for nodes in 1 2; do
  port=$((port + 10))
  ./subspace orchestrator "${args[@]}" --out "$out/sweep-$nodes" --port "$port" > "$out/orchestrator-$nodes.log" 2>&1 &
  orchestrator=$!
  workers=()
  for i in $(seq 1 "$nodes"); do
    ./subspace worker --join "127.0.0.1:$port" --store "$out/store-$nodes-$i" > "$out/worker-$nodes-$i.log" 2>&1 &
    workers+=($!)
  done
  wait "$orchestrator"
  kill "${workers[@]}" 2>/dev/null || true
  python3 - "$out/sweep-$nodes" "$nodes" <<'PY'
import json, sys
out, nodes = sys.argv[1], sys.argv[2]
events = [json.loads(l) for l in open(out + "/events.jsonl")]
t0 = min(e["time"] for e in events if e["event"] == "sweep-started") / 1000
t1 = max(e["time"] for e in events if e["event"] == "sweep-done") / 1000
done = sum(1 for e in events if e["event"] == "stage-done")
compute = sum(e["seconds"] for e in events if e["event"] == "stage-done")
print(f"{nodes} worker node(s): {done} stages in {t1 - t0:.1f} s wall ({60 * done / (t1 - t0):.0f} stages/min), "
      f"sum of stage compute {compute:.1f} s")
PY
done
