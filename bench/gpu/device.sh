#!/usr/bin/env bash
# bench:gpu on a lent GPU machine, which has no network and no Node. Prepare here:
#   cp -r ../shared/gpu-bench .gpu-bench && node bench/gpu/build.mjs
# then run `bash bench/gpu/device.sh` there with .gpu-bench and bench/.cache/gpu carried.
# The bundle's run.sh sets the machine up (Vulkan loader, NVIDIA's ICD, Node with the `webgpu`
# package and onnxruntime-web at the app's pinned build), writes the proxies, and times the native
# references (Python onnxruntime CPU; PyTorch CUDA on SAM ViT-B's encoder); then measure.mjs runs
# the app's engine (bench/.cache/gpu/engine.mjs) on WebGPU and WASM. Results in $OUT.
set -u -o pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"

SKIP_WEBGPU=1 SKIP_WASM=1 BUDGET_S=${NATIVE_BUDGET_S:-220} OUT="$OUT/native" \
  bash "$root/.gpu-bench/run.sh" >"$OUT/native-run.txt" 2>&1
grep -E '^(nvidia-smi|icd: chosen|runtime|vulkaninfo|===)' "$OUT/native-run.txt"
tail -25 "$OUT/native-run.txt"

# What run.sh chose, for this shell: its runtime folder, the Vulkan ICD, library folders.
log=$OUT/native-run.txt
rt=$(sed -n 's/^runtime: node .* in //p' "$log" | tail -1)
icd=$(sed -n 's/^icd: chosen .*(VK_DRIVER_FILES=\(.*\))$/\1/p' "$log" | tail -1)
[ -n "$icd" ] && [ "$icd" != unset ] && export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
for dir in $(sed -n 's/^icd: .* found in \(.*\) (added to LD_LIBRARY_PATH)$/\1/p' "$log"); do
  export LD_LIBRARY_PATH=$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
done
grep -q 'retrying with the bundled libstdc++' "$log" && export LD_LIBRARY_PATH=$rt/fallback-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "engine: runtime ${rt:-MISSING}, VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
[ -x "$rt/node" ] || exit 1

# The native CPU reference again with the app's WASM thread count (4), for a like-with-like ratio.
if [ "${SKIP_NATIVE:-}" != 1 ]; then
  mkdir -p "$OUT/native4"
  THREADS=4 SKIP_TORCH=1 OUT=$OUT/native4 PROXY_DIR=$rt/proxies ARR_DIR=$rt/arrays4 \
    timeout 90 python3 "$root/.gpu-bench/native.py" >"$OUT/native4/log.txt" 2>&1
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('native ORT CPU, 4 threads:', {k: (v.get('encoder', {}).get('median'), v.get('decoder', {}).get('median')) for k, v in d.get('ort', {}).items()}, d.get('errors'))" "$OUT/native4/native.json"
fi

cp "$root/bench/.cache/gpu/engine.mjs" "$root/bench/gpu/measure.mjs" "$root/bench/gpu/decoder-variants.mjs" "$root/bench/gpu/timing.mjs" \
  "$root/bench/gpu/dawn.mjs" "$rt/"
smi=""
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -lms 250 >"$OUT/smi.csv" &
  smi=$!
fi
(cd "$rt" && XDG_RUNTIME_DIR=/tmp DECODER_VARIANTS=${DECODER_VARIANTS:-1} REPO=$root/ PROXY_DIR=$rt/proxies ENGINE=$rt/engine.mjs OUT_JSON=$OUT/engine.json \
  timeout "${ENGINE_TIMEOUT_S:-300}" ./node --conditions=onnxruntime-web-use-extern-wasm measure.mjs 2>&1) |
  grep -v 'VerifyEachNodeIsAssignedToAnEp' | tee "$OUT/engine.txt"
[ -n "$smi" ] && kill "$smi" &&
  awk -F', *' '{n++; if ($1 > u) u = $1; if ($1 > 0) busy++} END {printf "nvidia-smi during the engine run: %d samples, %d busy, max utilisation %s %%\n", n, busy, u}' "$OUT/smi.csv"
