#!/usr/bin/env bash
# `shiftdeck status --json` of 3 environments against local emulators, side by side with the
# same reads scripted with the aws command line, in one run. Also prints the API calls one
# status read makes. Usage: bash benches/aws_status.sh [GROUPS_PER_ENV] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
groups=${1:-5}
runs=${2:-5}
if [ -z "${SHIFTDECK_BIN:-}" ]; then
  cargo build --release --quiet
fi
bin=${SHIFTDECK_BIN:-$PWD/target/release/shiftdeck}
source benches/aws_world.sh
[ -x "$venv/bin/aws" ] || "$venv/bin/pip" install -q awscli

aws_reads() {
  local aws="$venv/bin/aws --output json"
  $aws s3api list-objects-v2 --bucket ltbase-releases --delimiter / >/dev/null
  for v in $(ls assets/demo/releases); do
    $aws s3api get-object --bucket ltbase-releases --key "$v/manifest.json" "$work/m.json" >/dev/null
    $aws s3api get-object --bucket ltbase-releases --key "$v/manifest.json.minisig" "$work/m.sig" >/dev/null 2>&1 || true
  done
  for env in dev staging prod; do
    local in="$aws --profile $env"
    $in sts get-caller-identity >/dev/null
    # The CLI names CodeDeploy `deploy`. Listed into a variable first: a failing command in a
    # `for` list would not stop the script, and the loop would time nothing.
    local names
    names=$($in deploy list-deployment-groups --application-name "ltbase-$env" --query 'deploymentGroups[]' --output text)
    for g in $names; do
      $in deploy get-deployment-group --application-name "ltbase-$env" --deployment-group-name "$g" >/dev/null
      ids=$($in deploy list-deployments --application-name "ltbase-$env" --deployment-group-name "$g" --query 'deployments[]' --output text)
      $in deploy batch-get-deployments --deployment-ids $ids >/dev/null
      f=ltbase-$env-$g
      $in lambda get-alias --function-name "$f" --name Prod >/dev/null
      for q in 1 2; do $in lambda get-function --function-name "$f" --qualifier $q >/dev/null; done
      $in cloudwatch describe-alarms --alarm-names "$env-$g-5xx-rate" "$env-$g-p99" >/dev/null
    done
  done
}

if [ -n "${SHOW:-}" ]; then
  # Show what one read prints, errors included, then stop.
  "$bin" --config "$work/shiftdeck.toml" status || true
  exit 0
fi

ms() { python3 -c 'import time;print(int(time.time()*1000))'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
shiftdeck_times=() aws_times=()
for _ in $(seq "$runs"); do
  t0=$(ms); "$bin" --config "$work/shiftdeck.toml" status --json >"$work/status.json" || true; t1=$(ms)
  shiftdeck_times+=($((t1 - t0)))
done
for _ in $(seq 2); do
  t0=$(ms); aws_reads; t1=$(ms)
  aws_times+=($((t1 - t0)))
done
s=$(printf '%s\n' "${shiftdeck_times[@]}" | median)
a=$(printf '%s\n' "${aws_times[@]}" | median)
echo "3 environments x $groups groups"
echo "shiftdeck status --json: median ${s} ms over $runs runs (${shiftdeck_times[*]})"
echo "aws cli, same reads:      median ${a} ms over 2 runs (${aws_times[*]})"
python3 - "$work/status.json" "$s" "$a" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for e in r["environments"]:
    calls = sum(e["api_calls"].values())
    print(f'  {e["name"]}: {len(e["groups"])} groups, {calls} calls {e["api_calls"]}, error: {e["error"] and e["error"]["message"]}')
print(f"speed-up: {int(sys.argv[3]) / max(1, int(sys.argv[2])):.1f}x")
PY
