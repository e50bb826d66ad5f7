#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build the
# server and the web app, create the demo model in a data directory (every
# change logged), print its first grids and serve the API and the web app
# over HTTP until Ctrl-C (docs/api.md, docs/web.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/web_build.sh
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
bin=build/release/quantatom
data=${QA_DATA:-data/demo}
if [ ! -d "$data/log" ]; then
  "$bin" demo --out "$data-model"
  "$bin" import "$data" "$data-model"
fi
"$bin" verify "$data"
echo
"$bin" query "$data" --view examples/views/revenue_by_region.json
echo
"$bin" query "$data" --view examples/views/pnl_by_quarter.json
echo
echo "Try: $bin set $data --cube Finance --cell 'Budget,2025-01,Acme Inc. (Boston),Hardware Sales,ProBook 14=1000'"
echo "     $bin changes $data --since 7"
echo
# The first run creates an admin with a random password, printed once (only
# its Argon2id hash is kept); QA_ADMIN_USER / QA_ADMIN_PASSWORD choose them.
listen=${QA_LISTEN:-127.0.0.1:8080}
if [ -z "$("$bin" user list "$data")" ]; then
  export QA_ADMIN_USER=${QA_ADMIN_USER:-admin}
  export QA_ADMIN_PASSWORD=${QA_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}
  login="log in as '$QA_ADMIN_USER' with password '$QA_ADMIN_PASSWORD' (shown this once; only its hash is kept)"
else
  login="log in with a user of $data (quantatom user list $data); the first admin's password was shown when it was created"
fi
echo "serving $data; the web app: http://$listen/"
echo "  $login"
echo "  the API: docs/api.md (curl examples); Ctrl-C stops"
exec "$bin" serve --data "$data" --listen "$listen" --web web/dist
