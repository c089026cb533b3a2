# Shared by bench/load-test and bench/soak (sourced, not run): installs wrk,
# nginx and curl when missing, makes a private work folder (removed on exit),
# builds the sample archive, issues licenses and starts `imprint serve`, and
# reads wrk's reports. Every figure counts only for good answers: a run with
# any error status fails the script (fail()).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup > /dev/null
for tool in wrk nginx curl; do
  command -v "$tool" > /dev/null || { echo "bench: installing wrk, nginx-light and curl"; \
    apt-get install -y -qq --no-install-recommends wrk nginx-light curl > /dev/null; break; }
done
export no_proxy='*' NO_PROXY='*'

work=$(mktemp -d /tmp/imprint-bench-XXXXXX)  # 0700: it holds the keys and the store
pids=()
cleanup_hooks=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for hook in "${cleanup_hooks[@]}"; do "$hook" || true; done
  rm -rf "$work"
}
fail() { echo "bench: FAILED: $*" >&2; exit 1; }
trap cleanup EXIT
export IMPRINT_KEYS="$work/keys"
# A copy of the program, so that a rebuild during the run changes nothing;
# IMPRINT_BENCH_BIN names another build to measure (an older one, say).
cp "${IMPRINT_BENCH_BIN:-build/imprint}" "$work/imprint"
imprint=$work/imprint
db="sqlite:$work/imprint.db"
path=/editions/monitor/v05/i077/monitor-v05-i077.epub

b64url() { base64 -w0 "$1" | tr '+/' '-_' | tr -d '='; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# The permit rows of the audit log, read from the database itself (the
# table's layout is the command's to change; it did, and a grep counted 0).
audit_permits() {
  python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM audit_log WHERE decision = ?", ("permit",)).fetchone()[0])' "${db#sqlite:}"
}
# Fails the run unless the log gained a permit row for every response wrk
# counted (it may hold up to `slack` more: requests in flight when wrk stopped).
require_rows() {
  local rows=$1 responses=$2 slack=$3 what=$4
  if [ "$rows" -lt "$responses" ] || [ "$rows" -gt $((responses + slack)) ]; then
    echo "$what: $rows permit rows in the audit log for $responses responses" >&2
    exit 1
  fi
}
# wrk's report: requests/s, p99 (ms), requests completed, non-2xx responses.
summarise() {
  awk '/Requests\/sec/ {rps=$2}
       /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
       /requests in/ {n=$1}
       /Non-2xx/ {bad=$5}
       END {printf "%s %s %s %s\n", rps, p99, n, (bad==""?0:bad)}' "$1"
}
# Fails unless wrk's run `$2` (its report in `$1`) had answers and all good.
require_good() {
  local rps p99 n bad
  read -r rps p99 n bad < <(summarise "$1")
  [ -n "$n" ] && [ "$n" -gt 0 ] || fail "$2: wrk completed no request (see $1)"
  [ "$bad" = 0 ] || fail "$2: $bad of $n answers were errors (wrk: Non-2xx or 3xx responses), so its figures are not a measurement"
  grep -q 'Socket errors' "$1" && echo "$2: wrk: $(grep 'Socket errors' "$1" | sed 's/^ *//')"
  return 0
}
# Fails unless GET `$1` (curl options after it) answers 200; the body goes to `$2`.
fetch_200() {
  local url=$1 body=$2 status
  shift 2
  status=$(curl -s -o "$body" -w '%{http_code}' "$@" "$url") || fail "GET $url: curl failed"
  [ "$status" = 200 ] || fail "GET $url answered $status, not 200: $(head -c 300 "$body")"
}
# Issues a license for `$1` into `$2`.
issue_license() {
  "$imprint" license issue --db "$db" --subscriber "$1" --name "Reader $1" --tier individual \
    --publications monitor --from 2026-01-01 --until 2099-12-31 --out "$2" > /dev/null 2>&1 \
    || fail "license issue $1"
}
# Writes a wrk Lua script to `$1` cycling through `$2` fresh licenses, so that
# no personalised copy comes from the cache.
rotation_script() {
  {
    echo "local auths = {"
    for i in $(seq "$2"); do
      issue_license "load-$i" "$work/l.license"
      echo "\"License $(b64url "$work/l.license")\","
    done
    echo "}"
    echo "local n = 0"
    echo "request = function() n = n + 1; return wrk.format(\"GET\", \"$path\", {[\"Authorization\"] = auths[(n % #auths) + 1]}) end"
  } > "$1"
}
# Builds the sample archive (once) and starts `imprint serve` on a free port,
# with any further serve options given: sets `port` and `serve_pid`.
start_server() {
  [ -d "$work/output" ] || "$imprint" build --out "$work/output" samples/archive > /dev/null 2>&1 || fail "imprint build"
  port=$(free_port)
  "$imprint" serve --port "$port" --out "$work/output" --db "$db" "$@" >> "$work/serve.log" 2>&1 &
  serve_pid=$!
  pids+=("$serve_pid")
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && return 0; sleep 0.1; done
  fail "imprint serve did not start: $(cat "$work/serve.log")"
}
# Stops the server (it signs a last checkpoint on the way out).
stop_server() { kill "$serve_pid" && wait "$serve_pid" || true; }
# The resident memory of process `$1`, in MB.
rss_mb() { awk '/^VmRSS/ {printf "%.0f\n", $2 / 1024}' "/proc/$1/status"; }
