#!/usr/bin/env bash
# Measures simdnet and the reference points of ../shared/anchors in one run,
# on this machine, and prints the ratios that README.md reports:
#   bench/compare.sh gemm     SGEMM GFLOPS per shape vs OpenBLAS (1 and 2 threads), and the FMA peak
#   bench/compare.sh resnet   ResNet50 inference vs ONNX Runtime and PyTorch (1 and 2 threads)
#   bench/compare.sh train    seconds per SIGNS epoch vs PyTorch (1 and 2 threads)
#   bench/compare.sh onnx     torchvision's resnet50, mobilenet_v2 and efficientnet_b0 (224×224, random
#                             weights) from the same .onnx files vs ONNX Runtime (batch 1 and ONNX_BATCH,
#                             default 32; 1 and 2 threads), and the Go peers gonnx and onnx-go at batch 1
# The machine may be shared: the rounds (ROUNDS, default 3) alternate the two
# sides and each keeps its best figure, and
# only ratios measured together mean anything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
anchors=${ANCHORS:-$root/../shared/anchors}
what=${1:-resnet}
rounds=${ROUNDS:-3} # alternating rounds of ours and the anchor
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/simdnet" ./cmd/simdnet

case "$what" in
gemm)
  # Rounds alternate ours and OpenBLAS, so that a slow spell on a shared
  # machine hits both sides; each side keeps its best figure per shape.
  for r in $(seq "$rounds"); do
    "$tmp/simdnet" bench gemm --threads 1 --json | tail -1 > "$tmp/ours1_$r.json"
    "$tmp/simdnet" bench gemm --threads 2 --json | tail -1 > "$tmp/ours2_$r.json"
    "$anchors/run.sh" sgemm > "$tmp/blas_$r.txt"
  done
  "$anchors/run.sh" peak | tee "$tmp/peak.txt"
  $py - "$tmp" "$rounds" <<'PY'
import json, re, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
blas = {1: {}, 2: {}}
for r in range(1, rounds + 1):
    threads = 0
    for line in open(f"{tmp}/blas_{r}.txt"):
        if "1 thread" in line: threads = 1
        elif "2 threads" in line: threads = 2
        m = re.match(r"\s*(\d+) x\s+(\d+) x\s+(\d+)\s+([\d.]+) GFLOPS", line)
        if m and threads:
            key = tuple(map(int, m.group(1, 2, 3)))
            blas[threads][key] = max(blas[threads].get(key, 0), float(m.group(4)))
ours = {1: {}, 2: {}}
shapes = []
for t in (1, 2):
    for r in range(1, rounds + 1):
        for res in json.load(open(f"{tmp}/ours{t}_{r}.json"))["results"]:
            if t == 1 and r == 1: shapes.append(res)
            ours[t][res["shape"]] = max(ours[t].get(res["shape"], 0), res["gflops"])
peak = dict(re.findall(r"(\S+)\s+GFLOPS/core: ([\d.]+)", open(f"{tmp}/peak.txt").read()))
print(f"\nbest of {rounds} alternating rounds; FMA peak per core: avx2-fma {peak.get('avx2-fma')} GFLOPS, avx512 {peak.get('avx512')} GFLOPS")
print(f"{'shape':<22} {'M×N×K':>16} | {'ours 1t':>8} {'BLAS 1t':>8} {'ratio':>6} | {'ours 2t':>8} {'BLAS 2t':>8} {'ratio':>6} | {'2t/1t':>5}")
for r in shapes:
    key = (r["m"], r["n"], r["k"]); b1, b2 = blas[1].get(key), blas[2].get(key)
    g1, g2 = ours[1][r["shape"]], ours[2][r["shape"]]
    fmt = lambda a, b: f"{a:8.1f} {b:8.1f} {a/b:6.2f}" if b else f"{a:8.1f} {'-':>8} {'-':>6}"
    print(f"{r['shape']:<22} {'%d×%d×%d' % key:>16} | {fmt(g1, b1)} | {fmt(g2, b2)} | {g2/g1:5.2f}")
PY
  ;;
resnet)
  # Rounds alternate ours and ONNX Runtime (PyTorch, much slower, runs
  # once); each side keeps its best figure.
  for r in $(seq "$rounds"); do
    for t in 1 2; do "$tmp/simdnet" bench resnet50 --threads $t --json | tail -1 > "$tmp/ours${t}_$r.json"; done
    "$anchors/run.sh" ort >> "$tmp/ort.txt" 2>/dev/null
  done
  "$anchors/run.sh" torch > "$tmp/torch.txt" 2>/dev/null
  $py - "$tmp" "$rounds" <<'PY'
import json, re, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
ours = {1: {}, 2: {}}
for t in (1, 2):
    for r in range(1, rounds + 1):
        for res in json.load(open(f"{tmp}/ours{t}_{r}.json"))["results"]:
            b = res["batch"]
            if b not in ours[t] or res["ms_per_batch"] < ours[t][b]["ms_per_batch"]:
                ours[t][b] = res
ort = {}
for t, b, ms in re.findall(r"threads=(\d+) batch=(\d+): ([\d.]+) ms/batch", open(f"{tmp}/ort.txt").read()):
    key = (int(t), int(b))
    ort[key] = min(ort.get(key, float("inf")), float(ms))
print(f"best of {rounds} alternating rounds (PyTorch: one)")
torch, t = {}, 0
for line in open(f"{tmp}/torch.txt"):
    m = re.search(r"threads=(\d+)", line)
    if m: t = int(m.group(1))
    m = re.match(r"inference batch=(\d+): ([\d.]+) ms/batch", line)
    if m: torch[(t, int(m.group(1)))] = float(m.group(2))
print(f"{'figure':<28} {'simdnet':>10} {'ORT':>10} {'PyTorch':>10} {'vs ORT':>7} {'vs PyTorch':>10}")
for t in (1, 2):
    for b in (1, 32):
        ms = ours[t][b]["ms_per_batch"]
        o, p = ort.get((t, b)), torch.get((t, b))
        if b == 1:
            val = lambda x: f"{x:8.2f}ms" if x else "-"
            print(f"{'batch 1 latency, %d thread(s)' % t:<28} {val(ms):>10} {val(o):>10} {val(p):>10} {o/ms if o else 0:7.2f} {p/ms if p else 0:10.2f}")
        else:
            ips = lambda x: b * 1000 / x if x else 0
            print(f"{'batch 32 img/s, %d thread(s)' % t:<28} {ips(ms):10.1f} {ips(o):10.1f} {ips(p):10.1f} {ips(ms)/ips(o) if o else 0:7.2f} {ips(ms)/ips(p) if p else 0:10.2f}")
print("(ratios above 1 mean simdnet is faster)")
PY
  ;;
train)
  for r in $(seq "$rounds"); do
    for t in 1 2; do "$tmp/simdnet" bench train --threads $t --json | tail -1 > "$tmp/ours${t}_$r.json"; done
    "$anchors/run.sh" torch >> "$tmp/torch.txt" 2>/dev/null
  done
  $py - "$tmp" "$rounds" <<'PY'
import json, re, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
torch, t = {}, 0
for line in open(f"{tmp}/torch.txt"):
    m = re.search(r"threads=(\d+)", line)
    if m: t = int(m.group(1))
    m = re.search(r"epoch\(1080 imgs\)=([\d.]+) s", line)
    if m: torch[t] = min(torch.get(t, float("inf")), float(m.group(1)))
print(f"best of {rounds} alternating rounds")
print(f"{'threads':<8} {'simdnet s/epoch':>16} {'PyTorch s/epoch':>16} {'ratio':>6}")
for t in (1, 2):
    ours = min(json.load(open(f"{tmp}/ours{t}_{r}.json"))["epoch_seconds"] for r in range(1, rounds + 1))
    p = torch.get(t)
    print(f"{t:<8} {ours:16.1f} {p if p else 0:16.1f} {p/ours if p else 0:6.2f}")
print("(ratio above 1 means simdnet is faster)")
PY
  ;;
onnx)
  models=${ONNX_MODELS:-resnet50,mobilenet_v2,efficientnet_b0}
  dir=${ONNX_DIR:-/tmp/simdnet-onnx224}
  big=${ONNX_BATCH:-32}
  work=${ANCHORS_WORK:-/tmp/anchors}
  mkdir -p "$dir"
  for m in ${models//,/ }; do
    [ -f "$dir/${m}_op13.onnx" ] || $py onnx/testdata/make_fixtures.py --full "$dir" --models "$m" --opsets 13 >/dev/null
  done
  if [ ! -d "$work/ort/node_modules/onnxruntime-node" ]; then
    mkdir -p "$work/ort" && (cd "$work/ort" && npm init -y >/dev/null && npm install --ignore-scripts onnxruntime-node@1.30.0 >/dev/null 2>&1)
  fi
  for r in $(seq "$rounds"); do
    for m in ${models//,/ }; do
      f="$dir/${m}_op13.onnx"
      for t in 1 2; do
        "$tmp/simdnet" bench --model "$f" --batch "1,$big" --threads $t --json | tail -1 > "$tmp/ours_${m}_${t}_$r.json"
        for b in 1 "$big"; do
          ORT_NODE="$work/ort/node_modules/onnxruntime-node" node "$anchors/ort_model_bench.js" "$f" "$b" $t 224 >> "$tmp/ort.txt"
        done
      done
    done
  done
  # The Go peers, once, at batch 1 on one thread: they are far slower, or
  # cannot load the files at all (each says why).
  for p in gonnx onnxgo; do
    (cd bench/onnxpeers/$p && go build -o "$tmp/peer-$p" .)
    for m in ${models//,/ }; do
      "$tmp/peer-$p" --batch 1 --threads 1 --rounds 1 --budget 30s "$dir/${m}_op13.onnx" >> "$tmp/peers.jsonl" || true
    done
  done
  $py - "$tmp" "$rounds" "$models" "$big" <<'PY'
import json, re, sys
tmp, rounds, models, big = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), int(sys.argv[4])
ort = {}
for m, b, t, ms in re.findall(r"ort (\S+)_op13\.onnx batch=(\d+) threads=(\d+): ([\d.]+) ms/batch", open(f"{tmp}/ort.txt").read()):
    key = (m, int(t), int(b))
    ort[key] = min(ort.get(key, float("inf")), float(ms))
ours = {}
for m in models:
    for t in (1, 2):
        for r in range(1, rounds + 1):
            for res in json.load(open(f"{tmp}/ours_{m}_{t}_{r}.json"))["results"]:
                key = (m, t, res["batch"])
                ours[key] = min(ours.get(key, float("inf")), res["ms_per_batch"])
print(f"best of {rounds} alternating rounds; 224×224 inputs, the same opset-13 file for both")
print(f"{'model':<16} {'threads':>7} {'batch':>5} | {'simdnet ms':>10} {'ORT ms':>9} {'ratio':>6} | {'simdnet img/s':>13} {'ORT img/s':>9}")
for m in models:
    for t in (1, 2):
        for b in (1, big):
            o, s = ort.get((m, t, b)), ours.get((m, t, b))
            if not o or not s: continue
            print(f"{m:<16} {t:>7} {b:>5} | {s:10.2f} {o:9.2f} {o/s:6.2f} | {b*1000/s:13.1f} {b*1000/o:9.1f}")
print("(ratio = ORT time / simdnet time: above 1 means simdnet is faster)")
print("\nGo peers, batch 1, one thread:")
for line in open(f"{tmp}/peers.jsonl"):
    p = json.loads(line)
    m = p["file"].split("/")[-1].replace("_op13.onnx", "")
    s = ours.get((m, 1, 1))
    if "error" in p:
        print(f"  {p['engine']:<26} {m:<16} fails: {p['error'][:120]}")
    else:
        print(f"  {p['engine']:<26} {m:<16} {p['ms']:10.1f} ms ({p['ms']/s:.1f}× simdnet's time)" if s else f"  {p['engine']:<26} {m:<16} {p['ms']:10.1f} ms")
PY
  ;;
*) echo "usage: bench/compare.sh gemm|resnet|train|onnx" >&2; exit 2 ;;
esac
