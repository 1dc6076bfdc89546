#!/usr/bin/env bash
# Lighthouse (from the project's npm install) against a local `benelux-graph serve`: /, /benelux-plus and an entity
# page on desktop, /benelux-plus on mobile; RUNS runs each (Lighthouse on a loaded machine is noisy), the median
# of each category printed. Reports go to build/lighthouse/. Usage: scripts/lighthouse.sh [RUNS] (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
OUT=${OUT:-build/lighthouse}
LH=node_modules/.bin/lighthouse
[ -x "$LH" ] || { echo "lighthouse is not installed: run make setup-web" >&2; exit 1; }
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PORT=${PORT:-$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
BASE=http://127.0.0.1:$PORT
mkdir -p "$OUT"

.venv/bin/benelux-graph serve --host 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$BASE/healthz" >/dev/null || { echo "the server did not start: see $OUT/server.log" >&2; exit 1; }

FLAGS="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
CATS=performance,accessibility,best-practices,seo
run() {  # name path preset
  for i in $(seq "$RUNS"); do
    local preset=()
    [ "$3" = desktop ] && preset=(--preset=desktop)
    "$LH" "$BASE$2" "${preset[@]}" --only-categories=$CATS --chrome-flags="$FLAGS" --quiet \
      --output=json --output-path="$OUT/$1-$i.json" || true
  done
}
run home / desktop
run benelux-plus /benelux-plus desktop
run entity /page/greater-region desktop
run benelux-plus-mobile /benelux-plus mobile

node -e '
const fs = require("fs"), dir = process.argv[1], runs = +process.argv[2];
const med = a => { a = a.filter(x => x != null).sort((x, y) => x - y); return a.length ? a[(a.length - 1) >> 1] : "-"; };
console.log("page                  perf  a11y  best  seo   (median of " + runs + ")");
for (const name of ["home", "benelux-plus", "entity", "benelux-plus-mobile"]) {
  const reports = [];
  for (let i = 1; i <= runs; i++) try { reports.push(JSON.parse(fs.readFileSync(`${dir}/${name}-${i}.json`))); } catch (e) {}
  const cats = ["performance", "accessibility", "best-practices", "seo"].map(c =>
    med(reports.map(r => r.categories[c] && r.categories[c].score != null ? Math.round(r.categories[c].score * 100) : null)));
  console.log(name.padEnd(22) + cats.map(s => String(s).padEnd(6)).join(""));
}' "$OUT" "$RUNS"
