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
drivers=${*:-"mtx tenxdir text table h5ad tenx loom result"}
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
for src in "$top"/src/lib/core/*.c "$top"/src/lib/io/*.c "$top"/src/lib/ot/*.c "$top"/src/lib/kern/*.c \
	"$top"/src/lib/flow/*.c "$top"/src/lib/nn/*.c "$top"/src/lib/neural/*.c "$top"/src/lib/dens/*.c; do
	o="$WORK/obj/$(basename "$(dirname "$src")")_$(basename "$src" .c).o"
	if [ ! -f "$o" ] || [ "$src" -nt "$o" ]; then
		$CC $cflags -c "$src" -o "$o"
	fi
	objs="$objs $o"
done

# seed corpora: committed seeds plus a tiny simulated data set when scuot-simulate is built
seeds="$WORK/seeds"
rm -rf "$seeds" && mkdir -p "$seeds"
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h5py, anndata' 2>/dev/null; then
	/usr/bin/python3 "$top/tests/interop/make_fixtures.py" "$seeds/fx" >/dev/null 2>&1 || rm -rf "$seeds/fx"
fi
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
	# seeds for the HDF5 readers: files written as anndata, Cell Ranger and loompy write them
	if [ -d "$seeds/fx" ]; then
		case $d in
		h5ad) cp "$seeds/fx/"*.h5ad "$corpus"/ ;;
		tenx) cp "$seeds/fx/"*.h5 "$corpus"/ ;;
		loom) cp "$seeds/fx/"*.loom "$corpus"/ ;;
		esac
	fi
	# libhdf5 1.10 itself can loop forever on some corrupted files (the hang is inside libhdf5, not in
	# scuot's code); such an input is kept in $WORK/$d/hdf5-hangs/, counted, and fuzzing resumes.
	cd "$WORK/$d"
	rc=0 execs=0 hangs=0 h5crashes=0 start=$(date +%s) left=$secs
		: >"$WORK/$d.log"
	while [ "$left" -gt 0 ]; do
		rc=0
		ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=64 \
			LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp "$bin" -max_total_time="$left" -rss_limit_mb=2048 \
			-timeout=5 -max_len=262144 -print_final_stats=1 "$corpus" >"$WORK/$d.run.log" 2>&1 || rc=$?
		cat "$WORK/$d.run.log" >>"$WORK/$d.log"
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$d.run.log" | tail -1)
		[ -z "$n" ] && n=$(grep -o '^#[0-9]*' "$WORK/$d.run.log" | tail -1 | tr -d '#')
		execs=$((execs + ${n:-0}))
		left=$((secs - ($(date +%s) - start)))
		# Who failed: the innermost frame of the reported stack that is either in libhdf5 or in a source file
		# (sanitizer, fuzzer, libc and interceptor frames have neither).  Timeouts, crashes and out-of-memory
		# reports whose frame is in libhdf5 are libhdf5's own (scuot's code is only its caller there).
		frame=$(sed -n '/ERROR: \(libFuzzer\|AddressSanitizer\|LeakSanitizer\)/,$p' "$WORK/$d.run.log" |
			grep '^ *#[0-9]' | grep 'libhdf5\|\.c:[0-9]' | head -1)
		if [ "$rc" != 0 ] && echo "$frame" | grep -q 'libhdf5'; then
			if grep -q 'libFuzzer: timeout' "$WORK/$d.run.log"; then hangs=$((hangs + 1)); else h5crashes=$((h5crashes + 1)); fi
			mkdir -p hdf5-findings
			mv timeout-* crash-* oom-* leak-* hdf5-findings/ 2>/dev/null || true
			rc=0
			continue
		fi
		break
	done
	cd "$top"
	cov=$(grep -o 'cov: [0-9]*' "$WORK/$d.log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$WORK/$d.log" | tail -1 | cut -d' ' -f2)
	crashes=$(ls "$WORK/$d"/crash-* "$WORK/$d"/leak-* "$WORK/$d"/timeout-* "$WORK/$d"/oom-* 2>/dev/null | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$d" "$secs" "$execs" "${cov:-0}" "${ft:-0}" "$crashes" "$hangs" \
		"$h5crashes" >>"$report"
	echo "fuzz_$d: $execs executions, coverage $cov edges, $crashes findings in scuot, $hangs hangs and $h5crashes" \
		"crashes inside libhdf5 (exit $rc)"
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
	echo "Findings in scuot fail the run. Inside libhdf5: inputs on which HDF5 1.10.8 itself loops or crashes with"
	echo "scuot's code only as its caller (e.g. H5HG_read on a damaged global heap of variable-length strings); the"
	echo "script keeps them in \$WORK/DRIVER/hdf5-findings and counts them here. Where a check before"
	echo "the HDF5 call can refuse such a file, scuot has one (tests/data/fuzz/README.md)."
	echo
	echo "| driver | seconds | executions | coverage (edges) | features | findings in scuot | hangs in libhdf5 | crashes in libhdf5 |"
	echo "|---|---|---|---|---|---|---|---|"
	awk -F'\t' '{ printf "| fuzz_%s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$report"
} >"$top/reports/fuzz.md"
exit $status
