#!/usr/bin/env bash
# Orchestration figures for the closing notes and the README:
#  - reuse: the 4 x 3 toy grid as one sweep against its 12 configurations run as 12 separate
#    sweeps (each trains again), same settings;
#  - overhead: grid wall time over the sum of its stages' compute times, 1 and 2 local workers.
# Usage: bench/orchestration.sh [OUT]   (default /tmp/subspace-bench); takes ~6 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/subspace-bench}"
rm -rf "$out" && mkdir -p "$out"
cd "$root"
./subspace --version >/dev/null   # builds if needed, outside the timings

seconds() { date +%s.%N; }

for workers in 1 2; do
  start=$(seconds)
  ./subspace run config/sweeps/toy-grid.conf --out "$out/grid-w$workers" --workers "$workers" > "$out/grid-w$workers.txt" 2>/dev/null
  end=$(seconds)
  python3 - "$out/grid-w$workers" "$start" "$end" "$workers" <<'PY'
import json, sys
out, start, end, workers = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
events = [json.loads(l) for l in open(out + "/events.jsonl")]
compute = sum(e["seconds"] for e in events if e["event"] == "stage-done")
t0 = min(e["time"] for e in events if e["event"] == "sweep-started") / 1000
t1 = max(e["time"] for e in events if e["event"] == "sweep-done") / 1000
print(f"grid, {workers} worker(s): process wall {end - start:.1f} s, sweep wall {t1 - t0:.1f} s, "
      f"sum of stage compute {compute:.1f} s, sweep wall / compute {(t1 - t0) / compute:.3f}")
PY
done

start=$(seconds)
for rank in 2 5 10; do
  for t in 0.5 1.5 5 15; do
    ./subspace run config/sweeps/toy-grid.conf --out "$out/single-r$rank-T$t" \
      -D "subspace.ranks=[$rank]" -D "inference.temperatures=[$t]" > /dev/null 2>&1
  done
done
end=$(seconds)
python3 - "$out" "$start" "$end" <<'PY'
import csv, sys
out, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
grid = {(r["rank"], r["temperature"]): r for r in csv.DictReader(open(out + "/grid-w1/results.csv"))}
same = 0
for rank in ("2", "5", "10"):
    for t in ("0.5", "1.5", "5.0", "15.0"):
        single = next(csv.DictReader(open(f"{out}/single-r{rank}-T{t.rstrip('0').rstrip('.') if t.endswith('.0') else t}/results.csv")))
        same += single["test_ll"] == grid[(rank, t)]["test_ll"] and single["rmse"] == grid[(rank, t)]["rmse"]
print(f"12 separate runs: {end - start:.1f} s wall in total; configurations with identical numbers to the grid: {same}/12")
PY
