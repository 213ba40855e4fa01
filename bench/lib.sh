# shellcheck shell=bash
# Helpers shared by bench scripts (sourced, not run). The caller sets bench_name (for
# messages, e.g. "bench/cases") and work (its temp folder) before using them.
#
# Only bench/cases sources this file so far; bench/http, bench/auth and bench/catalog still
# carry their own copies of the same functions.

bench_name=${bench_name:-bench}

die() {
  echo "$bench_name: $*" >&2
  exit 1
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]] && (($1 > 0)); }

stop_pid() {  # stop_pid PID: TERM, wait up to 5 s, then KILL
  local pid=$1 _
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# A free loopback port below the ephemeral range (the load generators' own sockets live there).
free_port() {
  local lo=32768 port _
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((lo > 11000)) || lo=32768
  for _ in $(seq 1 200); do
    port=$((10000 + RANDOM % (lo - 10000)))
    # A refused connection means nobody listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free loopback port found"
}

# wait_http URL PID LOG [SECONDS]: until URL answers 200, the process dies, or SECONDS
# (default 20) pass.
wait_http() {
  local url=$1 pid=$2 log=$3 limit=${4:-20} _
  for _ in $(seq 1 $((limit * 10))); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$bench_name: process $pid exited before answering $url; its log:" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null) == 200 ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "$bench_name: $url did not answer within $limit s; log:" >&2
  tail -n 20 "$log" >&2 || true
  return 1
}

# to_ms VALUE: wrk prints 812.00us, 1.23ms, 1.02s, 2.00m
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "-" }'
}

# cpu_ticks PID...: user+system CPU of those processes (all their threads), in clock ticks.
cpu_ticks() {
  local total=0 p stat
  local -a f
  for p in "$@"; do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    read -ra f <<<"${stat##*) }"  # fields from the 3rd (state) on; utime and stime are the 14th and 15th
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# tree_ticks PID: CPU of a process, of its live children, and of the children it has
# already reaped (cutime + cstime, the 16th and 17th fields) — a PostgreSQL postmaster and
# its backends, including backends that exited during the window.
tree_ticks() {
  local pid=$1 stat total children
  local -a f
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo 0; return; }
  read -ra f <<<"${stat##*) }"
  total=$((f[11] + f[12] + f[13] + f[14]))
  children=$(cat "/proc/$pid/task/"*/children 2>/dev/null || true)
  # shellcheck disable=SC2086  # one pid per word
  echo $((total + $(cpu_ticks $children)))
}

num() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "" || v == "-" || v == "null" || v == "nan") printf "-"; else printf f, v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && a != "-" && b + 0 > 0) printf "%.3f", a / b; else printf "-" }'; }
