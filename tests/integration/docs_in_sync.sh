#!/usr/bin/env bash
# docs_in_sync.sh - docs/configuration.md lists exactly the keys, types and
# defaults of the key table (between its BEGIN/END markers).
set -euo pipefail
doc=$NBPY_SRCDIR/docs/configuration.md
want=$("$NBPY_BUILD/tests/tools/config_doc")
have=$(sed -n '/^<!-- BEGIN config_doc -->$/,/^<!-- END config_doc -->$/p' "$doc" | sed '1d;$d')
if [ "$want" != "$have" ]; then
	diff <(echo "$have") <(echo "$want") || true
	echo "docs/configuration.md is out of date: run make update-config-doc"
	exit 1
fi
echo "docs_in_sync: configuration.md matches the key table"
