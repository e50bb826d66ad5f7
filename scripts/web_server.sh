# Sourced by the web app's test and benchmark scripts: a server over a fresh
# copy of the demo model in a temporary directory, with an admin, a planner
# and a viewer who may not see one legal entity nor write Actual, random passwords, on a
# free loopback port. `web_server_start BIN` sets web_url, web_tmp and
# web_pid and exports QA_E2E_*; `web_server_stop` ends the server and
# removes the directory (call it from an EXIT trap).

web_password() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

web_server_start() {
  local bin=$1 dist=${2:-web/dist}
  web_tmp=$(mktemp -d /tmp/quantatom-web.XXXXXX)
  local data=$web_tmp/data
  export QA_E2E_ADMIN=admin QA_E2E_ADMIN_PASSWORD=$(web_password)
  export QA_E2E_PLANNER=planner QA_E2E_PLANNER_PASSWORD=$(web_password)
  export QA_E2E_VIEWER=viewer QA_E2E_VIEWER_PASSWORD=$(web_password)
  export QA_E2E_HIDDEN_ENTITY="Acme GmbH (Munich)"
  "$bin" demo --out "$web_tmp/model" >/dev/null
  "$bin" import "$data" "$web_tmp/model" >/dev/null
  rm -rf "$web_tmp/model"
  QA_PASSWORD=$QA_E2E_PLANNER_PASSWORD "$bin" user add "$data" "$QA_E2E_PLANNER" >/dev/null
  QA_PASSWORD=$QA_E2E_VIEWER_PASSWORD "$bin" user add "$data" "$QA_E2E_VIEWER" >/dev/null
  "$bin" role add "$data" planner >/dev/null
  "$bin" role grant "$data" planner Finance --access WRITE >/dev/null
  "$bin" role assign "$data" planner "$QA_E2E_PLANNER" >/dev/null
  "$bin" role add "$data" viewer >/dev/null
  "$bin" role grant "$data" viewer Finance --access WRITE --member "Entity:$QA_E2E_HIDDEN_ENTITY=NONE" \
    --member "Version:Actual=READ" >/dev/null
  "$bin" role assign "$data" viewer "$QA_E2E_VIEWER" >/dev/null
  QA_ADMIN_USER=$QA_E2E_ADMIN QA_ADMIN_PASSWORD=$QA_E2E_ADMIN_PASSWORD \
    "$bin" serve --data "$data" --listen 127.0.0.1:0 --web "$dist" --quiet \
    --log-file "$web_tmp/server.log" &
  web_pid=$!
  local i
  for i in $(seq 1 300); do
    web_url=$( (grep -o '"url":"[^"]*"' "$web_tmp/server.log" 2>/dev/null || true) | head -n1 | cut -d'"' -f4)
    [ -n "$web_url" ] && break
    kill -0 "$web_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$web_url" ]; then
    echo "the server did not start:" >&2
    cat "$web_tmp/server.log" >&2
    return 1
  fi
  export QA_E2E_URL=$web_url
}

web_server_stop() {
  if [ -n "${web_pid:-}" ]; then
    kill "$web_pid" 2>/dev/null || true
    wait "$web_pid" 2>/dev/null || true
    web_pid=
  fi
  if [ -n "${web_tmp:-}" ]; then
    rm -rf "$web_tmp"
    web_tmp=
  fi
}
