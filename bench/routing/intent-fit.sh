#!/usr/bin/env bash
# Intent routing on CLINC150: six intents defined by 10 train utterances each; thresholds fitted on val for a target
# precision, then reported on test (never tuned there). Usage: bash bench/routing/intent-fit.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
data="${1:-../shared/data}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build src/EdgeRouter -c Release -v q -nologo >/dev/null
bin=src/EdgeRouter/bin/Release/net9.0/edgerouter
python3 bench/routing/intent_fit.py "$data" "$work" models/edgerouter-encoder
echo "## fitted on val (target precision 0.9)"
"$bin" fit --config "$work/config.json" --route assistant --data "$work/val.jsonl" --precision 0.9 | tee "$work/fit.txt"
# Write the fitted thresholds into the route, then read test at those thresholds (the "threshold" columns).
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
text = open(f"{work}/fit.txt").read()
fitted = json.loads(text[text.index('{'):])
config = json.load(open(f"{work}/config.json"))
stage = config["routes"]["assistant"]["stages"][0]
by_name = {i["name"]: i["threshold"] for i in fitted["intents"]}
for intent in stage["intents"]:
    intent["threshold"] = by_name[intent["name"]]
json.dump(config, open(f"{work}/config.json", "w"), indent=1)
PY
echo "## test at the thresholds fitted on val"
"$bin" fit --config "$work/config.json" --route assistant --data "$work/test.jsonl" --evaluate
