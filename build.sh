#!/usr/bin/env bash
# EdgeRouter tasks for bash. PowerShell users: build.ps1 has the same tasks.
#   ./build.sh run [edgerouter args]   run the gateway (no args: the embedded default config)
#   ./build.sh test                    run every test
#   ./build.sh publish [rid]           publish the native binary to artifacts/publish/<rid> (default linux-x64)
#   ./build.sh smoke [rid]             start the published binary and exercise it end to end
#   ./build.sh bench                   run the load harness (bench/load) and print its report
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

task="${1:-help}"
shift || true

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "build.sh: the .NET SDK is required (https://dot.net); none found on PATH." >&2
    exit 1
  fi
}

default_rid() {
  case "$(uname -m)" in
    x86_64) echo linux-x64 ;;
    aarch64|arm64) echo linux-arm64 ;;
    *) echo "build.sh: unsupported machine $(uname -m)" >&2; exit 1 ;;
  esac
}

case "$task" in
  run)
    ensure_dotnet
    exec dotnet run --project src/EdgeRouter -c Release -- "$@"
    ;;
  test)
    ensure_dotnet
    dotnet build EdgeRouter.sln -c Release
    dotnet test EdgeRouter.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
    ;;
  publish)
    ensure_dotnet
    rid="${1:-$(default_rid)}"
    dotnet publish src/EdgeRouter -c Release -r "$rid" -o "artifacts/publish/$rid"
    ls -l "artifacts/publish/$rid"
    ;;
  smoke)
    rid="${1:-$(default_rid)}"
    bash scripts/smoke-test.sh "artifacts/publish/$rid/edgerouter"
    ;;
  bench)
    ensure_dotnet
    bash bench/load/run.sh "$@"
    ;;
  help|*)
    sed -n '2,8p' "$0"
    ;;
esac
