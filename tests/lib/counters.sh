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
