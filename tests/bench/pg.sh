# pg.sh: sourced by the benches that run on PostgreSQL, after top and
# out are set: a private server (tests/pg-server.sh) in a temporary
# directory, stopped on the way out; its programs (psql) on PATH before
# bin/; psql_su, psql as its superuser; newdb NAME, an empty database
# anyone may make the crm schema in, printing its CRM_DB; wall CMD..., the
# wall seconds CMD took, its output thrown away.
PATH=$top/bin:$(sh "$top/tests/pg-server.sh" bin):$PATH
export CRM_RC=/dev/null CRM_USER=boss
unset CRM_NOW CRM_IMPORT_BULK_ROWS CRM_DB
dir=$(mktemp -d "${TMPDIR:-/tmp}/crm-pg-bench.XXXXXX")
trap 'sh "$top/tests/pg-server.sh" stop "$dir"' EXIT
trap 'exit 130' INT TERM HUP
sh "$top/tests/pg-server.sh" start "$dir"
psql_su() {
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 \
	    -h "$dir" -U postgres "$@"
}
newdb() {
	psql_su -d postgres -c "DROP DATABASE IF EXISTS $1" \
	    -c "CREATE DATABASE $1 OWNER tester" \
	    -c "GRANT CREATE ON DATABASE $1 TO PUBLIC" >/dev/null
	echo "postgresql:///$1?host=$dir"
}
wall() {
	/usr/bin/time -f '%e' -o "$out/time" "$@" >/dev/null
	cat "$out/time"
}
