#!/usr/bin/env bash
# Measures the gateway's added latency: the published AOT binary runs the simulator ("edgerouter sim") and the
# gateway in front of it; the load generator sends the same requests at a fixed rate to the simulator directly
# and through the gateway. Layout on a 2-core machine: gateway on CPU 1; simulator and load generator on CPU 0.
#   bench/load/run.sh [rate] [duration-seconds]      (SCENARIOS="smart --vary,smart" to run only some)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rate="${1:-500}"
duration="${2:-20}"
rid="linux-$( [ "$(uname -m)" = aarch64 ] && echo arm64 || echo x64 )"
binary="artifacts/publish/$rid/edgerouter"
[ -x "$binary" ] || ./build.sh publish "$rid" >/dev/null
dotnet build bench/load -c Release -o artifacts/loadtest >/dev/null

# taskset execs the program, so $! is the server's own pid and the trap below really stops it.
cpu0=(); cpu1=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then cpu0=(taskset -c 0); cpu1=(taskset -c 1); fi
for port in 18080 18100; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "run.sh: port $port is in use; stop what runs there first" >&2; exit 1; fi
done
rm -rf /tmp/edgerouter-load-cache # the smart route's cache starts empty
"${cpu0[@]}" "$binary" sim --config bench/load/sim.json >/dev/null 2>&1 &
sim=$!
"${cpu1[@]}" "$binary" --config bench/load/gateway.json >/dev/null 2>&1 &
gateway=$!
trap 'kill $sim $gateway 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:18100/readyz?full" >/dev/null 2>&1 && curl -fs http://127.0.0.1:18080/healthz >/dev/null 2>&1 && break
  sleep 0.05
done

echo "edgerouter $("$binary" version | cut -d' ' -f2), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
# "smart" is the routed path (cache, rules, sticky, Mixture-of-Routers over the shipped head): with --vary every
# prompt is new (cache miss: embed, lookup, head, mixture); without it every request after the first is a cache hit.
scenarios=("instant" "instant --stream" "realistic --stream" "smart --vary" "smart")
[ -n "${SCENARIOS:-}" ] && IFS=',' read -r -a scenarios <<< "$SCENARIOS"
for scenario in "${scenarios[@]}"; do
  set -- $scenario
  model="$1"; shift
  direct_model="$model"; [ "$model" = smart ] && direct_model=instant
  "${cpu0[@]}" dotnet artifacts/loadtest/EdgeRouter.LoadTest.dll \
    --direct http://127.0.0.1:18080/v1/chat/completions --direct-model "$direct_model" \
    --gateway http://127.0.0.1:18100/v1/chat/completions --model "$model" \
    --rate "$rate" --duration "$duration" --warmup 5 --label "$model $*" "$@"
done
