#!/usr/bin/env bash
# python_decode.sh - Python (msgpack) and nbpy agree on every schema, with
# field names, order and types read from docs/wire-format.md itself and
# values chosen by the test (python_decode.py says how).
set -euo pipefail
# Debian's interpreter, where python3-msgpack is installed (PATH may hold another).
exec /usr/bin/python3 "$NBPY_SRCDIR/tests/integration/python_decode.py" \
	"$NBPY_SRCDIR/docs/wire-format.md" "$NBPY_BUILD/tests/tools/wire_by_name"
