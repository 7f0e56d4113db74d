#!/usr/bin/env bash
# docs_in_sync.sh - the generated parts of the docs match what they are
# generated from: docs/configuration.md lists exactly the keys, types and
# defaults of the key table, and the schema tables of docs/wire-format.md and
# docs/sinks.md are those of common/schemas.def (between their BEGIN/END
# markers).
set -euo pipefail

# check DOC MARKER COMMAND...: the lines between the doc's markers are the
# command's output.
fail=0
check() {
	local doc=$NBPY_SRCDIR/docs/$1 marker=$2 want have
	shift 2
	want=$("$@")
	have=$(sed -n "/^<!-- BEGIN $marker -->\$/,/^<!-- END $marker -->\$/p" "$doc" | sed '1d;$d')
	if [ -z "$want" ] || [ "$want" != "$have" ]; then
		diff <(echo "$have") <(echo "$want") || true
		echo "docs/$(basename "$doc") ($marker) is out of date: run make update-config-doc update-schema-doc"
		fail=1
	fi
}
check configuration.md config_doc "$NBPY_BUILD/tests/tools/config_doc"
check wire-format.md "schema_doc wire" "$NBPY_BUILD/tests/tools/schema_doc" wire
check wire-format.md "schema_doc legacy" "$NBPY_BUILD/tests/tools/schema_doc" legacy
check sinks.md "schema_doc sql" "$NBPY_BUILD/tests/tools/schema_doc" sql
check sinks.md "schema_doc lp" "$NBPY_BUILD/tests/tools/schema_doc" lp
[ "$fail" = 0 ] || exit 1
echo "docs_in_sync: configuration.md, wire-format.md and sinks.md match their tables"
