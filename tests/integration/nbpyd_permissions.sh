#!/usr/bin/env bash
# nbpyd_permissions.sh - docs/operations.md "Permissions" and
# docs/control-protocol.md, checked at the file system and the process table:
# the ipc control socket is mode 0660 and belongs to control_group (a group
# made for the test), so a member of that group can use nbpyctl and another
# user cannot; every notify socket is mode 0600 and belongs to the user its
# worker runs as; a service with `user =` and `group =` runs as them, one
# without as nbpyd's user.  Needs root (to create the group and user and to
# switch to them); anything else is a failure, not a pass.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" nbpyd_permissions
W=$B/tests/progs/testworker
TAG=nbpyd-perm-$$
G=nbpy_g$$
U=nbpy_u$$
itest_cleanup_extra() {
	getent passwd "$U" >/dev/null && userdel "$U"
	getent group "$G" >/dev/null && groupdel "$G"
}

echo "nbpyd permissions: control socket, notify sockets, user and group ($T)"
[ "$(id -u)" = 0 ] || { bad "needs root to create a group and a user and to switch to them"; exit 1; }
groupadd "$G" || { bad "groupadd $G"; exit 1; }
useradd --system --no-create-home --shell /usr/sbin/nologin -g "$G" "$U" || { bad "useradd $U"; exit 1; }
UID_U=$(id -u "$U") && GID_G=$(getent group "$G" | cut -d: -f3) || { bad "ids of $U, $G"; exit 1; }
chmod 755 "$T"	# the other users must reach the sockets and the config
cat >"$CONF" <<CONF
$(nbpyd_section)
control_group = $G

[plain]
command = $W --notify $TAG

[as_user]
command = $W --notify $TAG
user    = $U
group   = $G
CONF
chmod 644 "$CONF"

start_nbpyd
wait_for 10 all_running plain as_user &&
	ok "both services running (as_user told nbpyd it is ready through its 0600 socket)" ||
	bad "services: plain $(field plain state), as_user $(field as_user state)"

check "control socket: mode 660, group $G ($(stat -c '%a %U:%G' "$T/control"))" \
	test "$(stat -c '%a %G' "$T/control")" = "660 $G"
as() { setpriv --reuid="$1" --regid="$2" --clear-groups "${@:3}"; }
check "a member of $G reaches nbpyd with nbpyctl" \
	as "$UID_U" "$GID_G" "$B/nbpyctl" -c "$CONF" --timeout 3s ping >/dev/null
out=$(as 65534 65534 "$B/nbpyctl" -c "$CONF" --timeout 2s ping 2>&1)
rc=$?
check "nobody, not in $G, does not (exit $rc: $out)" test $rc -ne 0

check "plain's notify socket: mode 600, root's ($(stat -c '%a %U:%G' "$T/run/plain.notify"))" \
	test "$(stat -c '%a %u %g' "$T/run/plain.notify")" = "600 0 0"
check "as_user's notify socket: mode 600, $U:$G's ($(stat -c '%a %U:%G' "$T/run/as_user.notify"))" \
	test "$(stat -c '%a %u %g' "$T/run/as_user.notify")" = "600 $UID_U $GID_G"

ids() {	# ids SERVICE: "uid euid gid egid supplementary" of its worker
	local pid
	pid=$(field "$1" pid) && [ "$pid" -gt 0 ] 2>/dev/null || return 1
	ps -o uid=,euid=,gid=,egid=,supgid= -p "$pid" | tr -s ' ' | sed 's/^ //'
}
check "as_user runs as $U:$G, real and effective, no other group ($(ids as_user))" \
	test "$(ids as_user)" = "$UID_U $UID_U $GID_G $GID_G $GID_G"
check "plain runs as nbpyd's user ($(ids plain))" test "$(ids plain | cut -d' ' -f1-4)" = "0 0 0 0"

stop_nbpyd || bad "nbpyd exit status"
pgrep -f "$TAG" >/dev/null && bad "workers left: $(pgrep -af "$TAG")"
[ "$fails" = 0 ]
