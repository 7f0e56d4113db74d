#!/usr/bin/env bash
# python_decode.sh - Python (msgpack) reads every nbpy schema by the doc alone.
set -euo pipefail
# Debian's interpreter, where python3-msgpack is installed (PATH may hold another).
"$NBPY_BUILD/tests/tools/wire_samples" | /usr/bin/python3 "$NBPY_SRCDIR/tests/integration/python_decode.py"
