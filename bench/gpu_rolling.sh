#!/usr/bin/env bash
# bench/gpu_rolling.sh - the one script to run on a machine with a GPU: builds
# gpu/ with nvcc, runs the CUDA test (every row against the CPU) and the GPU
# benchmark (bench/gpu_rolling.c), and leaves in $OUT:
#   gpu_rolling.txt       the table, with the date, nvidia-smi -L and nvcc's version
#   test_rolling_cuda.log the test's output;  build.log  the build's
# Builds with autotools when configure finds every library it wants, else
# gpu/ and the two programs alone with nvcc and cc (nothing is installed:
# such machines may have no network).  About 3-5 minutes on 16 cores.
# Exit status: 0 all passed, 77 no usable GPU ("skipped: no GPU"), 1 else.
#
#   OUT=/some/dir bench/gpu_rolling.sh [ROWS [CPU_ROWS [WINDOW...]]]
#   (bench/gpu_rolling's arguments; default 100M rows, 20M on the CPU, windows 2 20 1000 10000)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/build/gpu-out}
B=$ROOT/build/gpu
JOBS=$(nproc 2>/dev/null || echo 4)
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
CUDA_PREFIX=$(dirname "$(dirname "$NVCC")")
mkdir -p "$OUT" "$B" || exit 1

say() { echo "gpu_rolling.sh: $*"; }

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "GPU: $(nvidia-smi -L 2>&1 | tr '\n' ' ')"
	echo "nvcc: $("$NVCC" --version 2>&1 | tail -n 1)"
	echo "CPU: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

# ---- build ----
build_autotools() {
	(autoreconf -fi && cd "$B" && "$ROOT/configure" -q --with-cuda="$CUDA_PREFIX" &&
		make -s -j"$JOBS" gpu/libnbpy_gpu.a tests/unit/test_rolling_cuda bench/gpu_rolling)
}

# gpu/ alone: the flags are Makefile.am's (NVCCFLAGS, GPU_LIBS)
build_direct() {
	local d=$B/direct cc=${CC:-cc} libs libdir
	# the directory nvcc links from, as configure.ac finds it
	libdir=$("$NVCC" --dryrun -x cu -c /dev/null -o /dev/null 2>&1 | sed -n 's/.*LIBRARIES=//p' |
		tr -d '"' | tr ' ' '\n' | sed -n 's/^-L//p' | grep -v '/stubs$' | head -n 1)
	libs="-L${libdir:-$CUDA_PREFIX/lib64} -lcudart_static -ldl -lpthread -lrt -lstdc++ -lm"
	mkdir -p "$d/gpu" "$d/bench" "$d/tests/unit" && cd "$d" || return 1
	printf '#define HAVE_CUDA 1\n' >autoconfig.h
	"$NVCC" -O3 -std=c++17 -gencode arch=compute_90,code=sm_90 \
		-gencode arch=compute_80,code=compute_80 -fmad=false -I"$ROOT" -I. \
		-c -o gpu/rolling_cuda.o "$ROOT/gpu/rolling_cuda.cu" || return 1
	for f in rolling rolling_cpu; do
		$cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT" -I. -c -o gpu/$f.o "$ROOT/gpu/$f.c" || return 1
	done
	rm -f gpu/libnbpy_gpu.a && ar rcs gpu/libnbpy_gpu.a gpu/*.o || return 1
	# shellcheck disable=SC2086
	$cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT" -I. -o bench/gpu_rolling \
		"$ROOT/bench/gpu_rolling.c" gpu/libnbpy_gpu.a $libs || return 1
	if pkg-config --exists check 2>/dev/null; then
		# shellcheck disable=SC2046,SC2086
		$cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT" -I. -o tests/unit/test_rolling_cuda \
			"$ROOT/tests/unit/test_rolling_cuda.c" gpu/libnbpy_gpu.a \
			$(pkg-config --cflags --libs check) $libs || return 1
	else
		echo "no Check (pkg-config check): test_rolling_cuda not built; the benchmark checks CUDA against the CPU itself"
	fi
}

T=$B
say "building in $B (log: $OUT/build.log)"
# GPU_ROLLING_DIRECT=1: the direct build only (to try it)
if [ -n "${GPU_ROLLING_DIRECT:-}" ] || ! build_autotools >"$OUT/build.log" 2>&1; then
	say "no autotools build (tail of build.log below); building gpu/ alone"
	tail -n 15 "$OUT/build.log" 2>/dev/null
	T=$B/direct
	build_direct >>"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log"; say "build failed"; exit 1; }
fi
say "built"

# ---- the CUDA test: every row against the CPU ----
rc_test=0
if [ -x "$T/tests/unit/test_rolling_cuda" ]; then
	say "test_rolling_cuda"
	timeout -k 10 300 "$T/tests/unit/test_rolling_cuda" >"$OUT/test_rolling_cuda.log" 2>&1
	rc_test=$?
	grep -E '^skipped|Checks:|F:|E:' "$OUT/test_rolling_cuda.log"
	if [ $rc_test -eq 77 ]; then
		say "skipped: no GPU"
		exit 77
	fi
	say "test_rolling_cuda: exit status $rc_test ($([ $rc_test -eq 0 ] && echo passed || echo FAILED))"
fi

# ---- the benchmark ----
say "bench/gpu_rolling $*"
timeout -k 10 360 "$T/bench/gpu_rolling" "$@" >"$OUT/bench.out" 2>&1
rc_bench=$?
{
	echo "# bench/gpu_rolling.sh: CUDA rolling statistics (gpu/README.md)"
	cat "$OUT/machine.txt"
	echo "test_rolling_cuda: exit status $rc_test"
	echo
	cat "$OUT/bench.out"
} >"$OUT/gpu_rolling.txt"
cat "$OUT/bench.out"
case $rc_bench in
0) ;;
77) say "skipped: no GPU"; exit 77 ;;
*) say "bench/gpu_rolling: exit status $rc_bench"; exit 1 ;;
esac
[ $rc_test -eq 0 ] || exit 1
say "done: $OUT/gpu_rolling.txt"
