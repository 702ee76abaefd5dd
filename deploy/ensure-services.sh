#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on loopback for the test suite.
# Starts them where they are installed but stopped; installs them (Debian/Ubuntu, as root) where missing.
# Fails loudly when neither works: tests never skip a missing service.
set -euo pipefail

pg_up()    { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
as_root()  { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "ensure-services: installing PostgreSQL" >&2
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  # Trust auth on loopback for the local test database, as on the CI machine.
  if pg_up && ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    as_root su postgres -c "psql -c \"create database test\"" >/dev/null 2>&1 || true
  fi
fi
if ! redis_up; then
  if ! command -v redis-server >/dev/null; then
    echo "ensure-services: installing Redis" >&2
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  fi
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi

pg_up    || { echo "ensure-services: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
redis_up || { echo "ensure-services: Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
echo "ensure-services: PostgreSQL and Redis are up"
