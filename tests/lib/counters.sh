# tests/lib/counters.sh - read a worker's STATUS counters strictly, for the
# outcome tests (sourced after itest.sh): a status that cannot be read is a
# failure, never an empty or zero value.

# status_text SVC: the service's STATUS text; fails (prints nothing) if unreadable
status_text() {
	ctl --json status "$1" 2>/dev/null |
		$PY -c "import json,sys; print(json.load(sys.stdin)['result']['services'][0]['status'])"
}
# counters_are SVC "written N, spooled N, dropped N": the status holds that text
counters_are() {
	local st
	st=$(status_text "$1") || return 1
	[[ "$st" == *"$2"* ]]
}
# counter_of SVC NAME: counter NAME from the service's STATUS text; fails,
# saying why, when it is not there.  A worker sends its STATUS once a second,
# so a count that rises can lag what a collector already saw: check it
# under wait_for.
counter_of() {
	local status n
	status=$(field "$1" status) || return 1
	n=$(sed -n "s/^\(.*[ ,]\)\{0,1\}$2 \([0-9][0-9]*\).*/\2/p" <<<"$status")
	[ -n "$n" ] || { echo "no '$2 N' in the STATUS of $1: $status" >&2; return 1; }
	echo "$n"
}
