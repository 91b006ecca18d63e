#!/bin/sh
# pg-server.sh start DIR | stop DIR: a private PostgreSQL server for the
# tests, in DIR (made empty), listening on a Unix socket there only.
# pg-server.sh bin: the directory of the server's programs, psql and
# pg_dump among them (Debian's /usr/bin/psql is a Perl wrapper that
# costs each call some 30 ms: the tests call the programs themselves).
#
# start runs initdb and postgres as the postgres system user when run as
# root (initdb refuses root), as the caller otherwise; prints nothing and
# exits 0 when the server answers, 1 (with the log) when it does not.
# Logins: postgres (superuser, the tests' own eyes), tester (owner of
# each test database), and every login the tests act as (--as,
# CRM_USER), made ahead so they can connect before crm-user add reuses
# them.  Each test database lets anyone create the crm schema in it, and
# these logins may create roles: as with a new SQLite file, whoever acts
# first creates the database (and owns it).  Authentication is trust:
# the socket is in DIR, nobody else's.
set -eu
cmd=${1:?usage: pg-server.sh start|stop DIR | bin}
[ "$cmd" = bin ] || dir=${2:?usage: pg-server.sh start|stop DIR | bin}
# the server's programs: PG_BIN, else Debian's newest, else initdb's on PATH
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then
	bin=$(dirname "$(command -v initdb)")
fi
if [ "$cmd" != stop ] && [ ! -x "$bin/initdb" ]; then
	echo "pg-server.sh: no PostgreSQL server programs (apt-get install postgresql, or set PG_BIN)" >&2
	exit 1
fi

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $cmd in
bin)
	echo "$bin"
	;;
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 \
	    --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log"; exit 1; }
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off \
	        -c full_page_writes=off -c max_connections=220 \
	        -c shared_buffers=128MB -c max_locks_per_transaction=256" \
	    start >/dev/null 2>&1 || { cat "$dir/server.log"; exit 1; }
	top=$(cd "$(dirname "$0")/.." && pwd)
	{
		echo "CREATE ROLE tester LOGIN CREATEROLE CREATEDB;"
		grep -ohE -- '(--as |CRM_USER=)[a-z][a-z0-9]*' "$top"/tests/*.bats |
		    sed 's/.*[ =]//' | sort -u | grep -vx -e tester -e postgres |
		    while read -r u; do echo "CREATE ROLE $u LOGIN CREATEROLE;"; done
		i=1
		while [ $i -le 60 ]; do echo "CREATE ROLE rep$i LOGIN CREATEROLE;"; i=$((i + 1)); done
	} | "$bin/psql" -X -q -h "$dir" -U postgres -d postgres -v ON_ERROR_STOP=0 \
	    >/dev/null 2>&1
	# SQLite's group_concat and julianday, for the tests' own queries
	# (helpers.bash sql), in every database made from template1 from now on
	"$bin/psql" -X -q -h "$dir" -U postgres -d template1 -v ON_ERROR_STOP=1 \
	    >/dev/null <<'SQL'
CREATE FUNCTION public.group_concat_step(s text, v anyelement, sep text)
    RETURNS text LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN v IS NULL THEN s WHEN s IS NULL THEN v::text
        ELSE s || sep || v::text END $$;
CREATE FUNCTION public.group_concat_step(s text, v anyelement)
    RETURNS text LANGUAGE sql IMMUTABLE AS
    $$ SELECT public.group_concat_step(s, v, ',') $$;
CREATE AGGREGATE public.group_concat(anyelement, text)
    (SFUNC = public.group_concat_step, STYPE = text);
CREATE AGGREGATE public.group_concat(anyelement)
    (SFUNC = public.group_concat_step, STYPE = text);
-- and julianday, for a time in stage as a report reads it
CREATE FUNCTION public.julianday(t text) RETURNS numeric LANGUAGE sql
    IMMUTABLE AS $$ SELECT extract(epoch FROM t::timestamptz) / 86400
        + 2440587.5 $$;
SQL
	;;
stop)
	[ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate \
	    stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pg-server.sh start|stop DIR | bin" >&2
	exit 2
	;;
esac
