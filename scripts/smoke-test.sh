#!/usr/bin/env bash
# Starts a published edgerouter binary on its embedded default config and exercises it like a user would:
# readiness, one plain and one streamed chat completion (with the gateway headers), embeddings from the simulator
# and from the shipped in-process encoder, models, metrics, an invalid request, the semantic cache (a repeated and a
# reworded question answered from it, tenants kept apart), kill -9 and a restart with the cache intact, then a clean
# shutdown on SIGTERM. The binary runs from a copy of its folder, so its cache (data/ next to it) starts empty.
set -euo pipefail
binary="${1:?usage: smoke-test.sh path/to/edgerouter}"
port="${SMOKE_PORT:-18090}"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

fail() { echo "smoke: FAIL: $*" >&2; echo "--- gateway log ---" >&2; cat "$work/log" >&2 || true; exit 1; }

[ -x "$binary" ] || fail "$binary is not an executable"
mkdir -p "$work/bin"
cp -r "$(dirname "$binary")"/. "$work/bin/"
rm -rf "$work/bin/data"
binary="$work/bin/$(basename "$binary")"

start_gateway() {
  start=$(date +%s%N)
  EDGEROUTER_URLS="$base" "$binary" >>"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || fail "the gateway exited during startup"
    sleep 0.05
  done
  curl -fsS "$base/readyz" >/dev/null || fail "not ready after 5 s"
  echo "smoke: serving in $(( ($(date +%s%N) - start) / 1000000 )) ms"
  # The models load in the background; /readyz?full answers 200 once every route runs all its stages.
  for _ in $(seq 1 200); do
    if curl -fsS "$base/readyz?full" >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || fail "the gateway exited while loading its models"
    sleep 0.025
  done
  curl -fsS "$base/readyz?full" | grep -q '"models":"loaded"' || fail "models not loaded after 5 s"
  echo "smoke: models loaded in $(( ($(date +%s%N) - start) / 1000000 )) ms"
}

# ask ROUTE QUESTION [TENANT]: posts a chat completion and prints the x-edgerouter-cache verdict.
ask() {
  local tenant=()
  [ -n "${3:-}" ] && tenant=(-H "x-edgerouter-tenant: $3")
  curl -sS -D "$work/cheaders" -o "$work/cbody" -H 'content-type: application/json' "${tenant[@]}" \
    -d "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"$2\"}]}" "$base/v1/chat/completions"
  grep -q '"object":"chat.completion"' "$work/cbody" || fail "cached route answered: $(cat "$work/cbody")"
  grep -i '^x-edgerouter-cache:' "$work/cheaders" | tr -d '\r' | cut -d' ' -f2-
}

start_gateway

chat='{"model":"auto","messages":[{"role":"user","content":"Say hello"}]}'
curl -sS -D "$work/headers" -o "$work/plain" -H 'content-type: application/json' -d "$chat" "$base/v1/chat/completions"
grep -q '"object":"chat.completion"' "$work/plain" || fail "plain completion: $(cat "$work/plain")"
for header in x-request-id x-edgerouter-route x-edgerouter-model x-edgerouter-provider x-edgerouter-overhead-ms; do
  grep -qi "^$header:" "$work/headers" || fail "plain completion lacks $header"
done
echo "smoke: plain completion from $(grep -i '^x-edgerouter-model:' "$work/headers" | tr -d '\r' | cut -d' ' -f2)"
grep -qi '^x-edgerouter-decision: {.*"name":"mor"' "$work/headers" || fail "auto route: no Mixture-of-Routers decision: $(cat "$work/headers")"
json='{"model":"auto","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}},"messages":[{"role":"user","content":"Answer in JSON"}]}'
curl -sS -D "$work/jheaders" -o /dev/null -H 'content-type: application/json' -H 'x-edgerouter-cache: off' -d "$json" "$base/v1/chat/completions"
grep -qi '^x-edgerouter-model: sim/strong' "$work/jheaders" || fail "structured output was not routed to the strong model by the rule"
for route in verified race; do
  status=$(curl -sS -o "$work/$route" -D "$work/${route}headers" -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"model\":\"$route\",\"messages\":[{\"role\":\"user\",\"content\":\"Which is larger, 9.11 or 9.9?\"}]}" "$base/v1/chat/completions")
  [ "$status" = 200 ] || fail "$route route: HTTP $status $(cat "$work/$route")"
  grep -qi '^x-edgerouter-decision: {.*"strategy"' "$work/${route}headers" || fail "$route route: no strategy in the decision"
done
echo "smoke: routed (rules, Mixture-of-Routers, cascade, speculative)"

stream='{"model":"fast","stream":true,"messages":[{"role":"user","content":"Stream a greeting"}]}'
curl -sSN -D "$work/sheaders" -o "$work/stream" -H 'content-type: application/json' -d "$stream" "$base/v1/chat/completions"
grep -qi '^content-type: text/event-stream' "$work/sheaders" || fail "stream content type"
grep -q '"object":"chat.completion.chunk"' "$work/stream" || fail "stream chunks: $(head -c 300 "$work/stream")"
tail -c 20 "$work/stream" | grep -q 'data: \[DONE\]' || fail "stream does not end with [DONE]"
grep -q '"usage"' "$work/stream" && fail "stream shows a usage chunk the client did not ask for"
grep -qi '^x-edgerouter-model: sim/cheap' "$work/sheaders" || fail "stream headers: $(cat "$work/sheaders")"
echo "smoke: streamed $(grep -c '^data: ' "$work/stream") events"

curl -fsS -H 'content-type: application/json' -d '{"model":"sim/embed","input":"hello"}' "$base/v1/embeddings" | grep -q '"embedding"' || fail "embeddings"
curl -fsS -H 'content-type: application/json' -d '{"model":"local/default","input":"hello"}' "$base/v1/embeddings" >"$work/local" || fail "local embeddings"
grep -q '"model":"local/default"' "$work/local" && grep -q '"embedding":\[' "$work/local" || fail "local embeddings: $(head -c 300 "$work/local")"
echo "smoke: local/default embeddings ($(grep -o ',' "$work/local" | wc -l) commas)"

question="How do I reset my online banking password?"
reworded="How do I reset my online-banking password?"
[ "$(ask best "$question")" = miss ] || fail "first question was not a miss"
case "$(ask best "$question")" in "hit; similarity=1.000; id="*) ;; *) fail "repeated question was not an exact hit";; esac
verdict=$(ask best "$reworded")
case "$verdict" in "hit; similarity="*) ;; *) fail "reworded question was not a semantic hit: $verdict";; esac
echo "smoke: reworded question: $verdict"
[ "$(ask best "$question" other-tenant)" = miss ] || fail "another tenant saw the cached answer"
[ "$(ask best "What is the exchange rate for euros today?")" = miss ] || fail "a different question was served from the cache"
# Read whole bodies before grepping: grep -q stops early, and under pipefail curl's broken pipe would fail the check.
curl -fsS "$base/v1/models" -o "$work/models" && grep -q '"id":"auto"' "$work/models" || fail "models"
status=$(curl -sS -o "$work/bad" -w '%{http_code}' -H 'content-type: application/json' -d '{"model":"auto"}' "$base/v1/chat/completions")
[ "$status" = 400 ] && grep -q '"missing_required_parameter"' "$work/bad" || fail "missing messages gave $status: $(cat "$work/bad")"
curl -fsS "$base/metrics" -o "$work/metrics" && grep -q 'edgerouter_requests_total{route="auto"' "$work/metrics" || fail "metrics: $(head -c 300 "$work/metrics")"
grep -q 'request .* route=auto' "$work/log" || fail "no decision log line"

sleep 1.5 # one commit interval: what was acknowledged is now durable
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
start_gateway
case "$(ask best "$question")" in "hit;"*) ;; *) fail "the cache lost its entry across kill -9";; esac
[ "$(ask best "$question" third-tenant)" = miss ] || fail "tenants crossed after restart"
echo "smoke: cache intact after kill -9"

kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "still running 5 s after SIGTERM"
wait "$pid" && code=0 || code=$?
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
echo "smoke: OK ($(stat -c %s "$binary") bytes)"
