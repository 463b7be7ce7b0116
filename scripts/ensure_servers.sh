#!/usr/bin/env bash
# Make sure the PostgreSQL and MariaDB servers the tests use are up; start them if not.
set -u
PG_PORT=${DTE_TEST_PG_PORT:-5432}
MY_PORT=${DTE_TEST_MYSQL_PORT:-3306}

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {  # port, name
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  echo "ensure_servers: $2 did not come up on 127.0.0.1:$1" >&2
  return 1
}

status=0
if ! up "$PG_PORT"; then
  echo "ensure_servers: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start \
    || echo "ensure_servers: pg_ctlcluster failed" >&2
  wait_up "$PG_PORT" PostgreSQL || status=1
fi
if ! up "$MY_PORT"; then
  echo "ensure_servers: starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd \
    || echo "ensure_servers: start-stop-daemon failed" >&2
  wait_up "$MY_PORT" MariaDB || status=1
fi
[ $status -eq 0 ] && echo "ensure_servers: PostgreSQL :$PG_PORT and MariaDB :$MY_PORT are up"
exit $status
