#!/usr/bin/env bash
# systemd_unit.sh - the unit `make install` installs can start: configure a
# build into a temporary prefix, install the programs, the config, unit and sysusers
# file, then check offline (no running systemd needed) that
#   - systemd-analyze verify accepts the installed unit (absolute, existing
#     programs: a literal @sbindir@ fails here);
#   - its ExecStartPre command line, run as written, validates the installed
#     config (so the paths are the configured ones);
#   - systemd-sysusers creates the user the unit runs as;
#   - systemd-analyze security rates its exposure at most 3.0.
set -uo pipefail
. "$NBPY_SRCDIR/tests/lib/itest.sh" systemd_unit
echo "systemd_unit: unit installed under $T/p"

command -v systemd-analyze >/dev/null || { bad "systemd-analyze not installed (Debian package systemd)"; exit 1; }
P=$T/p
mkdir -p "$T/build"
if ! (cd "$T/build" && "$S/configure" -q --prefix="$P" >"$T/configure.log" 2>&1 &&
	nice make -s -j2 install-sbinPROGRAMS install-binPROGRAMS install-dist_nbpyconfDATA install-systemdsystemunitDATA \
		install-dist_sysusersDATA >"$T/make.log" 2>&1); then
	tail -n 30 "$T/configure.log" "$T/make.log"
	bad "configure --prefix=$P and make install"
	exit 1
fi
UNIT=$P/lib/systemd/system/nbpyd.service
check "unit installed in \$prefix/lib/systemd/system" test -f "$UNIT"

# --man=no: the man pages are not in the system's MANPATH.
if out=$(systemd-analyze verify --man=no "$UNIT" 2>&1) && [ -z "$out" ]; then
	ok "systemd-analyze verify: no error, no warning"
else
	bad "systemd-analyze verify: $out"
fi

# Each Exec line names the installed program and config.
want_pre="$P/sbin/nbpyd -c $P/etc/nbpy/nbpy.conf --check"
check "ExecStart is $P/sbin/nbpyd -c $P/etc/nbpy/nbpy.conf" \
	grep -qxF "ExecStart=$P/sbin/nbpyd -c $P/etc/nbpy/nbpy.conf" "$UNIT"
check "ExecStartPre is $want_pre" grep -qxF "ExecStartPre=$want_pre" "$UNIT"
pre=$(sed -n 's/^ExecStartPre=//p' "$UNIT")
if out=$($pre 2>&1) && [[ $out == "$P/etc/nbpy/nbpy.conf: ok, "* ]]; then
	ok "ExecStartPre validates the installed config: $out"
else
	bad "ExecStartPre ($pre): $out"
fi

# The unit's User= is the user the installed sysusers.d file creates.
user=$(sed -n 's/^User=//p' "$UNIT")
mkdir -p "$T/root/etc"
if [ -n "$user" ] && systemd-sysusers --root="$T/root" "$P/lib/sysusers.d/nbpy.conf" >/dev/null 2>&1 &&
	grep -q "^$user:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin\$" "$T/root/etc/passwd"; then
	ok "systemd-sysusers creates User=$user, without a login shell"
else
	bad "User=$user is not what $P/lib/sysusers.d/nbpy.conf creates"
fi

# The figure of the "Overall exposure level for nbpyd.service: 1.5 OK" line.
report=$(systemd-analyze security --offline=true --no-pager "$UNIT" 2>&1)
level=$(sed -n 's/.*Overall exposure level for nbpyd.service: \([0-9][0-9]*\.[0-9]\) .*/\1/p' <<<"$report")
if [ -z "$level" ]; then
	bad "systemd-analyze security printed no exposure level: $(tail -n 5 <<<"$report")"
elif awk -v l="$level" 'BEGIN { exit !(l <= 3.0) }'; then
	ok "systemd-analyze security: exposure $level <= 3.0"
else
	grep '✗' <<<"$report"
	bad "systemd-analyze security: exposure $level > 3.0"
fi

[ "$fails" -eq 0 ] && echo "systemd_unit: all passed"
[ "$fails" -eq 0 ]
