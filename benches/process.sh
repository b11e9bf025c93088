#!/usr/bin/env bash
# Process-level budgets of DESIGN.md section 8, measured on the release binary in a real terminal
# (tmux): start to first frame, CPU while idle and while a shift runs, resident memory.
# Usage: bash benches/process.sh   (takes about two minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/shiftdeck"
sock="shiftdeck-bench-$$-0"
runs=0
work=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
tick=$(getconf CLK_TCK)

run_in_tmux() { # args: command line; a fresh tmux server each time avoids racing the last one's exit
  tmux -L "$sock" kill-server 2>/dev/null || true
  runs=$((runs + 1))
  sock="shiftdeck-bench-$$-$runs"
  tmux -L "$sock" -f /dev/null new-session -d -s b -x 200 -y 60 "$1"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

pid_of() { # waits for the demo process started in tmux
  for _ in $(seq 100); do
    p=$(pgrep -n -f "$bin demo" || true)
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.1
  done
  echo "demo did not start" >&2; exit 1
}

echo "== start to first frame (10 runs)"
for i in $(seq 10); do
  run_in_tmux "$bin demo --exit-after-first-frame 2>>$work/startup.txt; sleep 1"
  for _ in $(seq 100); do [ "$(wc -l < "$work/startup.txt" 2>/dev/null || echo 0)" -ge "$i" ] && break; sleep 0.1; done
done
sort -t' ' -k4 -n "$work/startup.txt" | awk '{a[NR]=$4} END {printf "median %.1f ms, max %.1f ms (budget 150 ms)\n", a[int((NR+1)/2)], a[NR]}'

measure() { # args: label, demo args, warm-up seconds, window seconds
  run_in_tmux "$bin demo $2"
  pid=$(pid_of)
  sleep "$3"
  t0=$(cpu_ticks "$pid")
  sleep "$4"
  t1=$(cpu_ticks "$pid")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  awk -v l="$1" -v d=$((t1 - t0)) -v w="$4" -v t="$tick" -v r="$rss" \
    'BEGIN {printf "%-44s CPU %.2f%% of one core over %ds, peak RSS %.1f MB\n", l, 100*d/(w*t), w, r/1024}'
  tmux -L "$sock" send-keys -t b q
  sleep 1
}

echo "== CPU and memory"
measure "shift running (speed 1, dev shifting)" "--speed 1" 5 30
measure "idle (speed 100, shift finished)" "--speed 100" 20 30
measure "200 targets x 3 environments, shifting" "--speed 1 --targets 200" 8 30
