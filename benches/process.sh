#!/usr/bin/env bash
# Process-level budgets of DESIGN.md section 8, measured on the release binary in a real terminal
# (tmux): start to first frame, CPU while idle and while a shift runs, resident memory.
# Usage: bash benches/process.sh        the demo (about two minutes)
#        bash benches/process.sh aws [GROUPS_PER_ENV]
#                                        the cockpit against seeded emulators (benches/aws_world.sh):
#                                        also the requests a minute they receive (about four minutes)
#        PROFILE=dev bash benches/process.sh   the same on the debug binary that `cargo run` builds
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
profile=${PROFILE:-release}
cargo build --profile "$profile" --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/$([ "$profile" = dev ] && echo debug || echo "$profile")/shiftdeck"
sock="shiftdeck-bench-$$-0"
runs=0
on_exit='tmux -L "$sock" kill-server 2>/dev/null || true'
if [ "$mode" = aws ]; then
  groups=${2:-5}
  source benches/aws_world.sh
  cockpit="$bin --config $work/shiftdeck.toml"
else
  work=$(mktemp -d)
  trap 'eval "$on_exit"; rm -rf "$work"' EXIT
  cockpit="$bin demo"
fi
tick=$(getconf CLK_TCK)

run_in_tmux() { # args: command line; a fresh tmux server each time avoids racing the last one's exit
  tmux -L "$sock" kill-server 2>/dev/null || true
  runs=$((runs + 1))
  sock="shiftdeck-bench-$$-$runs"
  tmux -L "$sock" -f /dev/null new-session -d -s b -x 200 -y 60 "$1"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

pid_of() { # waits for the cockpit started in tmux
  for _ in $(seq 100); do
    p=$(pgrep -n -f "^$cockpit" || true)
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.1
  done
  echo "the cockpit did not start" >&2; exit 1
}

requests() { # args: log file, pattern: the requests an emulator has logged so far
  grep -c -- "$2" "$1" || true
}

echo "== start to first frame ($mode, 10 runs)"
for i in $(seq 10); do
  run_in_tmux "$cockpit --exit-after-first-frame 2>>$work/startup.txt; sleep 1"
  for _ in $(seq 100); do [ "$(wc -l < "$work/startup.txt" 2>/dev/null || echo 0)" -ge "$i" ] && break; sleep 0.1; done
done
grep -v '^first frame after' "$work/startup.txt" && { echo "the cockpit did not start cleanly" >&2; exit 1; }
sort -t' ' -k4 -n "$work/startup.txt" | awk '{a[NR]=$4} END {printf "median %.1f ms, max %.1f ms (budget 150 ms)\n", a[int((NR+1)/2)], a[NR]}'

measure() { # args: label, arguments, warm-up seconds, window seconds
  run_in_tmux "$cockpit $2"
  pid=$(pid_of)
  sleep "$3"
  t0=$(cpu_ticks "$pid")
  if [ "$mode" = aws ]; then
    m0=$(requests "$work/moto.log" 'HTTP/1.1') l0=$(requests "$work/moto.log" '/2015-03-31/')
  fi
  sleep "$4"
  t1=$(cpu_ticks "$pid")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  awk -v l="$1" -v d=$((t1 - t0)) -v w="$4" -v t="$tick" -v r="$rss" \
    'BEGIN {printf "%-44s CPU %.2f%% of one core over %ds, peak RSS %.1f MB\n", l, 100*d/(w*t), w, r/1024}'
  if [ "$mode" = aws ]; then
    # moto logs a line per request; ministack (CloudWatch) does not, and tests/aws_call_rate.rs
    # counts those.
    m1=$(requests "$work/moto.log" 'HTTP/1.1') l1=$(requests "$work/moto.log" '/2015-03-31/')
    awk -v m=$((m1 - m0)) -v l=$((l1 - l0)) -v w="$4" \
      'BEGIN {printf "%-44s requests a minute to moto: %.1f, of them Lambda %.1f\n", "", 60*m/w, 60*l/w}'
  fi
  tmux -L "$sock" send-keys -t b q
  sleep 1
}

echo "== CPU and memory"
if [ "$mode" = aws ]; then
  # moto never runs a deployment: the seeded ones stay Created, which the cockpit follows as a
  # shift about to start (every 5 s), so this is the cockpit following 3 x GROUPS deployments,
  # after its cold read and a first minute (idle aliases are read again once a minute).
  measure "3 x $groups deployments starting (Created)" "" 70 120
else
  measure "shift running (speed 1, dev shifting)" "--speed 1" 5 30
  measure "idle (speed 100, shift finished)" "--speed 100" 20 30
  measure "200 targets x 3 environments, shifting" "--speed 1 --targets 200" 8 30
fi
