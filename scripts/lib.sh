# Shared by scripts/run and scripts/test: install the project, fetch and start Redis and
# Elasticsearch as local processes. Source it; it defines functions and changes nothing.

ES_VERSION="${INGEST_ES_VERSION:-9.2.8}"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
ES_USER="${INGEST_ES_USER:-ingest-es}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The unpacked Elasticsearch lives outside the repo so clones share it; it must be readable
# by the unprivileged user Elasticsearch runs as, which rules out root's home.
cache_dir() {
  if [ -n "${INGEST_CACHE_DIR:-}" ]; then echo "$INGEST_CACHE_DIR"
  elif [ "$(id -u)" = 0 ]; then echo /var/tmp/news-ingest
  else echo "${XDG_CACHE_HOME:-$HOME/.cache}/news-ingest"
  fi
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root for: $*"
  fi
}

# Create .venv and install the project with its dev tools; skipped when pyproject.toml
# has not changed since the last install.
ensure_venv() {
  local python="${PYTHON:-python3}" stamp
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$python" -m venv "$VENV"
  fi
  stamp="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -c1-16)-$*"
  if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$stamp" ]; then
    say "installing the project into $VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip >/dev/null
    local extras="dev"
    [ $# -gt 0 ] && extras="$extras,$(IFS=,; echo "$*")"
    "$VENV/bin/pip" install --quiet -e "$REPO_ROOT[$extras]"
    echo "$stamp" > "$VENV/.installed"
  fi
}

ensure_redis_server() {
  command -v redis-server >/dev/null && return
  say "installing redis-server (Debian package)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null
  }
  # The package starts a system service on 6379; we run our own instances instead.
  if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
    as_root systemctl stop redis-server || true
  fi
  command -v redis-server >/dev/null || die "redis-server did not install"
}

# A JDK that Elasticsearch 9 supports (21 or newer): ES_JAVA_HOME if set, else the newest
# one under /usr/lib/jvm.
find_java() {
  if [ -n "${ES_JAVA_HOME:-}" ]; then echo "$ES_JAVA_HOME"; return; fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/*/; do
    dir="${dir%/}"
    [ -x "$dir/bin/java" ] && [ -f "$dir/release" ] || continue
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$dir/release")"
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$dir"; best_major="$major"
    fi
  done
  [ -n "$best" ] || die "Elasticsearch $ES_VERSION needs Java 21+; none found under /usr/lib/jvm (set ES_JAVA_HOME)"
  echo "$best"
}

# Download (into the Maven cache, ~/.m2) and unpack the Elasticsearch distribution once.
ensure_elasticsearch() {
  local home
  home="$(cache_dir)/elasticsearch-$ES_VERSION"
  if [ ! -x "$home/bin/elasticsearch" ]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Elasticsearch"
    local tmp
    tmp="$(mktemp -d)"
    say "fetching Elasticsearch $ES_VERSION from Maven Central"
    mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$tmp" >&2 \
      || die "could not fetch $ES_ARTIFACT"
    mkdir -p "$(cache_dir)"
    chmod 755 "$(cache_dir)"
    (cd "$tmp" && unzip -q "elasticsearch-$ES_VERSION.zip")
    rm -rf "$home"
    mv "$tmp/elasticsearch-$ES_VERSION" "$home"
    chmod -R a+rX "$home"
    rm -rf "$tmp"
  fi
  echo "$home"
}

# Elasticsearch refuses to run as root: when we are root, run it as a system user.
es_runner() {
  if [ "$(id -u)" != 0 ]; then return; fi
  if ! id "$ES_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" \
      || die "could not create user $ES_USER"
  fi
  echo "runuser -u $ES_USER --"
}

# es_dir_for PREFERRED: PREFERRED when the Elasticsearch user can reach it, else a folder in
# the shared cache (root's home and mktemp folders are closed to other users).
es_dir_for() {
  local preferred="$1" runner
  runner="$(es_runner)"
  mkdir -p "$preferred"
  if [ -z "$runner" ] || $runner test -x "$preferred"; then
    echo "$preferred"
  else
    local alt
    alt="$(cache_dir)/state-$(printf '%s' "$preferred" | sha256sum | cut -c1-12)"
    mkdir -p "$alt"
    chmod 755 "$(cache_dir)" "$alt"
    echo "$alt"
  fi
}

free_port() {
  "${PYTHON:-python3}" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

# start_redis PORT DIR [persist]: a redis-server on 127.0.0.1:PORT keeping its files in DIR.
start_redis() {
  local port="$1" dir="$2" persist="${3:-no}"
  mkdir -p "$dir"
  local args=(--port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes
              --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --protected-mode yes)
  # Durable mode: every write is appended and fsynced once a second (README: "What a
  # Redis crash can lose"); snapshots as well, for faster restarts.
  if [ "$persist" = yes ]; then args+=(--appendonly yes --appendfsync everysec --save "60 1")
  else args+=(--appendonly no --save ""); fi
  redis-server "${args[@]}" || die "redis-server did not start (see $dir/redis.log)"
  local i
  for i in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "redis-server on port $port did not answer (see $dir/redis.log)"
}

# Waits for the exit: a durable Redis writes its files on the way out, and one whose folder
# is deleted under it (scripts/test cleans up right after) cannot save and will not exit.
stop_redis() {
  local dir="$1" pid i
  pid_alive "$dir/redis.pid" || return 0
  pid="$(cat "$dir/redis.pid" 2>/dev/null)" || return 0
  kill "$pid" 2>/dev/null
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  return 0
}

# start_elasticsearch HOME PORT DIR: a single-node cluster on 127.0.0.1:PORT, data and logs
# in DIR. Returns once the process is launched; wait_for_elasticsearch waits for it.
start_elasticsearch() {
  local home="$1" port="$2" dir="$3" java runner
  java="$(find_java)"
  runner="$(es_runner)"
  mkdir -p "$dir/data" "$dir/logs" "$dir/tmp"
  rm -rf "$dir/config"
  cp -r "$home/config" "$dir/config"
  if [ -n "$runner" ]; then
    chmod 755 "$dir"
    chown -R "$ES_USER" "$dir/data" "$dir/logs" "$dir/tmp" "$dir/config"
  fi
  # shellcheck disable=SC2086  # $runner is a command prefix, deliberately split
  $runner env ES_JAVA_HOME="$java" ES_PATH_CONF="$dir/config" ES_TMPDIR="$dir/tmp" \
    ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m}" \
    "$home/bin/elasticsearch" -d -p "$dir/logs/es.pid" \
      -E cluster.name=news-ingest -E node.name=local \
      -E discovery.type=single-node -E network.host=127.0.0.1 \
      -E http.port="$port" -E transport.port="$(free_port)" \
      -E path.data="$dir/data" -E path.logs="$dir/logs" \
      -E cluster.routing.allocation.disk.threshold_enabled=false \
      -E xpack.security.enabled=false \
      > "$dir/start.log" 2>&1 || {
        cat "$dir/start.log" >&2
        die "Elasticsearch did not start (logs in $dir/logs)"
      }
}

wait_for_elasticsearch() {
  local url="$1" dir="${2:-}" i
  for i in $(seq 240); do
    if curl -fsS "$url/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  [ -n "$dir" ] && tail -n 40 "$dir"/logs/*.log >&2 2>/dev/null
  die "Elasticsearch at $url did not become ready"
}

stop_elasticsearch() {
  local dir="$1" i
  local pidfile="$dir/logs/es.pid"
  pid_alive "$pidfile" || return 0
  kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null
  for i in $(seq 60); do
    pid_alive "$pidfile" || return 0
    sleep 0.5
  done
  kill -9 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null
  return 0
}
