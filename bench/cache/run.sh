#!/usr/bin/env bash
# Semantic cache quality and lookup speed with the real encoder; prints Markdown tables for bench/RESULTS.md.
#   bench/cache/run.sh [quality|lookup|all] [cachebench options...]      default: all
# Defaults: --model models/edgerouter-encoder (fp32; add --int8 for model.int8.onnx), --data ../shared/data,
# lookup at 100,000 entries (40,000 real sentence embeddings + synthetic), 20,000 timed lookups, 2,000 encode+lookup
# calls on 32-token prompts. Run `bench/cache/run.sh help` for every option.
# Environment: CPU (core to pin the run to; default 1 for lookup, where the timed calls are single-threaded, and
# unpinned for quality and all, which encode the data sets on every core), CONFIG (Release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mode="${1:-all}"
[ $# -gt 0 ] && shift
config="${CONFIG:-Release}"
default_cpu=""; [ "$mode" = lookup ] && default_cpu=1
cpu="${CPU-$default_cpu}"
pin=()
if [ -n "$cpu" ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi

dotnet build bench/cache -c "$config" -nologo -v quiet >/dev/null
bin="bench/cache/bin/$config/net9.0/cachebench"
if [ "$mode" = help ]; then exec "$bin" --help; fi
cmd=("${pin[@]}" "$bin" "$mode" "$@")
echo "Command: \`bash bench/cache/run.sh $mode${*:+ $*}\` → \`${cmd[*]}\`"
echo
"${cmd[@]}"
