#!/usr/bin/env bash
# Runs the whole test suite, exactly as CI does: every package, each database test on SQLite and
# on MariaDB (a fresh database per test), the WeChat token-cache tests on Redis.
#
#   scripts/test.sh                          # MariaDB on 127.0.0.1:3306 (root, no password) and Redis on 127.0.0.1:6379
#   FAYUAN_TEST_DBS=sqlite scripts/test.sh   # SQLite only: no MariaDB needed
#   FAYUAN_TEST_NO_REDIS=1 scripts/test.sh   # skip the Redis tests
#   FAYUAN_TEST_NO_BROWSER=1 scripts/test.sh # skip the headless Chromium tests of the survey page
#   scripts/test.sh -run TestLogin -v        # extra go test flags
#
# The S3 storage tests start MinIO themselves: minio on PATH, $(go env GOPATH)/bin/minio or $FAYUAN_TEST_MINIO.
# Other servers: FAYUAN_TEST_MYSQL_DSN (default root@tcp(127.0.0.1:3306)/), FAYUAN_TEST_REDIS_ADDR.
# .ci/run installs and starts MariaDB and Redis when they are missing, then calls this script.
set -euo pipefail
cd "$(dirname "$0")/.."

export FAYUAN_TEST_DBS="${FAYUAN_TEST_DBS:-sqlite,mysql}"

# Say once, up front, what is missing, instead of one failure per test.
reachable() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
missing=()
if [[ ",$FAYUAN_TEST_DBS," == *,mysql,* && -z "${FAYUAN_TEST_MYSQL_DSN:-}" ]] && ! reachable 127.0.0.1 3306; then
  missing+=("MariaDB is not answering on 127.0.0.1:3306: start it (start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd, or run .ci/run), or test on SQLite alone: FAYUAN_TEST_DBS=sqlite scripts/test.sh")
fi
if [[ "${FAYUAN_TEST_NO_REDIS:-}" != 1 && -z "${FAYUAN_TEST_REDIS_ADDR:-}" ]] && ! reachable 127.0.0.1 6379; then
  missing+=("Redis is not answering on 127.0.0.1:6379: start it (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no), or skip its tests: FAYUAN_TEST_NO_REDIS=1")
fi
if [[ "${FAYUAN_TEST_NO_BROWSER:-}" != 1 ]] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  missing+=("Chromium is not installed (the survey page is tested in it headless): apt-get install -y chromium, or skip those tests: FAYUAN_TEST_NO_BROWSER=1")
fi
if [[ -z "${FAYUAN_TEST_MINIO:-}" ]] && ! command -v minio >/dev/null && [[ ! -x "$(go env GOPATH)/bin/minio" ]]; then
  missing+=("the MinIO server is missing (the S3 storage tests start it on loopback): go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c (about two minutes), or set FAYUAN_TEST_MINIO to a minio binary")
fi
if ((${#missing[@]})); then
  printf 'scripts/test.sh: %s\n' "${missing[@]}" >&2
  exit 1
fi

echo "scripts/test.sh: FAYUAN_TEST_DBS=$FAYUAN_TEST_DBS" >&2
# go test runs GOMAXPROCS packages at a time (2 on the 2-core CI machine); -count=1: never cached.
exec go test -count=1 "$@" ./...
