#!/usr/bin/env bash
# Exports a simdnet model file to ONNX and runs the file in ONNX Runtime (onnxruntime-node, one
# thread) beside simdnet run on the model file itself, on one seeded batch; prints
# max |ORT − simdnet| / max |simdnet| for the model's output (probabilities) and its logits
# (export --logits, run --logits), and fails above 1e-5.
# Usage: bench/export_ort.sh MODEL.safetensors [BATCH]       (BATCH default 4)
#   EXPORT_FLAGS="--fold-bn --opset 17" adds export flags; ORT_OPT=disabled|basic|extended|all
#   (default all) sets ONNX Runtime's graph optimisations.
#   e.g. a SIGNS training: simdnet train --epochs 2 --out /tmp/signs.safetensors
# Needs node and onnxruntime-node (npm install --ignore-scripts onnxruntime-node@1.30.0 in
# /tmp/ort, or ORT_NODE=path/to/node_modules/onnxruntime-node).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=${1:?usage: bench/export_ort.sh MODEL.safetensors [BATCH]}
batch=${2:-4}
tol=${TOL:-1e-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/simdnet" ./cmd/simdnet)
status=0
for variant in probabilities logits; do
  flag=""
  [ "$variant" = logits ] && flag=--logits
  line=$("$tmp/simdnet" export $flag ${EXPORT_FLAGS:-} "$model" "$tmp/m.onnx")
  # "wrote …: opset 13, input (N, C, H, W), output …"
  read -r c h w <<<"$(sed -E 's/.*input \(N, ([0-9]+), ([0-9]+), ([0-9]+)\).*/\1 \2 \3/' <<<"$line")"
  node "$root/bench/export_ort.js" run "$tmp/m.onnx" "$tmp" "$batch" "$c" "$h" "$w"
  "$tmp/simdnet" run $flag --model "$model" --input "$tmp/x_nhwc.npy" --output "$tmp/simdnet.npy" >/dev/null
  echo "$variant, batch $batch, ${h}x${w}x${c}, $(ls -l "$tmp/m.onnx" | awk '{print $5}') bytes of ONNX:"
  node "$root/bench/export_ort.js" diff "$tmp/ort.npy" "$tmp/simdnet.npy" "$tol" || status=1
done
exit $status
