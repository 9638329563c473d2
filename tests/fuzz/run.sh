#!/bin/sh
# tests/fuzz/run.sh -- build the libFuzzer drivers (clang, -fsanitize=fuzzer,address,undefined,
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION so allocations are capped) and run each for a bounded time.
# Usage: tests/fuzz/run.sh [SECONDS_PER_DRIVER [DRIVER...]]   (default 60 s, every driver)
# Seeds: tests/fuzz/corpus/<driver>/ (committed, small) plus files made here by scuot-simulate.
# Writes reports/fuzz.md (executions and coverage per driver); exits 1 if any driver found a crash,
# leaving the reproducer in $WORK/<driver>/crash-* and printing it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
drivers=${*:-"mtx tenxdir text table h5ad tenx loom"}
WORK=${FUZZ_WORK:-${TMPDIR:-/tmp}/scuot-fuzz}
CC=${FUZZ_CC:-clang}
mkdir -p "$WORK/obj"
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }

hdf5_cflags=$(pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
hdf5_libs=$(pkg-config --libs hdf5 2>/dev/null || echo "-L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5")
cflags="-g -O1 -std=gnu11 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fno-omit-frame-pointer \
-fsanitize=fuzzer-no-link,address,undefined -I$top/src/lib $hdf5_cflags"
libs="$hdf5_libs -lcsv -lz -lgsl -llapacke -lopenblas -lm"

# the library, instrumented (every module the readers can reach)
objs=""
for src in "$top"/src/lib/core/*.c "$top"/src/lib/io/*.c; do
	o="$WORK/obj/$(basename "$(dirname "$src")")_$(basename "$src" .c).o"
	if [ ! -f "$o" ] || [ "$src" -nt "$o" ]; then
		$CC $cflags -c "$src" -o "$o"
	fi
	objs="$objs $o"
done

# seed corpora: committed seeds plus a tiny simulated data set when scuot-simulate is built
seeds="$WORK/seeds"
rm -rf "$seeds" && mkdir -p "$seeds"
if [ -x "$top/scuot-simulate" ]; then
	"$top/scuot-simulate" -q --seed 3 --days 0,1 --cells 12 --genes 25 -o "$seeds/sim" >/dev/null 2>&1 || true
fi

status=0
report="$WORK/report.tsv"
: >"$report"
for d in $drivers; do
	bin="$WORK/fuzz_$d"
	$CC $cflags -fsanitize=fuzzer "$top/tests/fuzz/fuzz_$d.c" $objs $libs -o "$bin"
	corpus="$WORK/$d/corpus"
	mkdir -p "$corpus"
	[ -d "$top/tests/fuzz/corpus/$d" ] && cp "$top/tests/fuzz/corpus/$d"/* "$corpus"/ 2>/dev/null || true
	sim="$seeds/sim"
	if [ -d "$sim" ]; then
		case $d in
		mtx) cp "$sim/counts/matrix.mtx.gz" "$corpus/sim.mtx.gz"; gzip -dc "$sim/counts/matrix.mtx.gz" >"$corpus/sim.mtx" ;;
		tenxdir) { gzip -dc "$sim/counts/matrix.mtx.gz"; printf '\0'; gzip -dc "$sim/counts/features.tsv.gz"; printf '\0';
		           gzip -dc "$sim/counts/barcodes.tsv.gz"; } >"$corpus/sim.bin" ;;
		table) cp "$sim/cell_days.tsv" "$corpus/"; cp "$sim/truth.tsv" "$corpus/" ;;
		h5ad) cp "$sim/counts.h5ad" "$corpus/" ;;
		esac
	fi
	cd "$WORK/$d"
	rc=0
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 "$bin" -max_total_time="$secs" -rss_limit_mb=2048 \
		-timeout=10 -max_len=262144 -print_final_stats=1 "$corpus" >"$WORK/$d.log" 2>&1 || rc=$?
	cd "$top"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$d.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$WORK/$d.log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$WORK/$d.log" | tail -1 | cut -d' ' -f2)
	crashes=$(ls "$WORK/$d"/crash-* "$WORK/$d"/leak-* "$WORK/$d"/timeout-* "$WORK/$d"/oom-* 2>/dev/null | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$d" "$secs" "${execs:-0}" "${cov:-0}" "${ft:-0}" "$crashes" >>"$report"
	echo "fuzz_$d: ${execs:-0} executions, coverage $cov edges, $crashes findings (exit $rc)"
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
		status=1
		grep -A30 'ERROR: ' "$WORK/$d.log" | head -40
	fi
done

mkdir -p "$top/reports"
{
	echo "# Fuzzing"
	echo
	echo "Made by \`tests/fuzz/run.sh $secs\` on $(date -u +%Y-%m-%d) with $($CC --version | head -1)."
	echo "Each driver ran for $secs s with ASan + UBSan and allocation caps (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)."
	echo "Coverage counts instrumented edges of scuot's own code (libhdf5, zlib and libcsv are not instrumented)."
	echo
	echo "| driver | seconds | executions | coverage (edges) | features | crashes, leaks, timeouts |"
	echo "|---|---|---|---|---|---|"
	awk -F'\t' '{ printf "| fuzz_%s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$report"
} >"$top/reports/fuzz.md"
exit $status
