# tests/cli/reliability.sh -- determinism and failure handling of the stages that exist:
# byte-identical reruns, thread-count independence, disk full, read-only output directory,
# SIGKILL, SIGTERM and SIGINT during a write (no output at the target, no temporaries left).
. "${top_srcdir:-.}/tests/cli/lib.sh"
S=$BIN/scuot-simulate
I=$BIN/scuot-ingest
DUMP=$BIN/tests/interop/scuot_h5dump

# content of an h5ad without the provenance record (which names the thread count)
content() {
	"$DUMP" h5ad "$1" | "$PYTHON3" -c 'import json, sys
d = json.load(sys.stdin); d["uns"]["children"].pop("scuot", None); print(json.dumps(d, sort_keys=True))'
}
same_files() { # NAME DIR1 DIR2 FILE...
	name=$1 d1=$2 d2=$3
	shift 3
	for f in "$@"; do
		if ! cmp -s "$d1/$f" "$d2/$f"; then
			not_ok "$name: $f differs"
			return
		fi
	done
	ok "$name"
}

# --- determinism: two runs in a row, byte for byte; thread counts agree ---
"$S" -q --seed 5 --days 0,1,2 --cells 150 --genes 300 --threads 1 -o "$WORK/sim" || not_ok "simulate"
mv "$WORK/sim" "$WORK/sim1"
"$S" -q --seed 5 --days 0,1,2 --cells 150 --genes 300 --threads 1 -o "$WORK/sim" || not_ok "simulate again"
same_files "simulate twice: byte-identical outputs" "$WORK/sim1" "$WORK/sim" counts.h5ad cell_days.tsv truth.tsv \
	genes_truth.tsv counts/matrix.mtx.gz counts/features.tsv.gz counts/barcodes.tsv.gz
"$S" -q --seed 5 --days 0,1,2 --cells 150 --genes 300 --threads 4 -o "$WORK/sim4" || not_ok "simulate, 4 threads"
same_files "simulate 1 vs 4 threads: tables identical" "$WORK/sim" "$WORK/sim4" cell_days.tsv truth.tsv genes_truth.tsv
[ "$(content "$WORK/sim/counts.h5ad")" = "$(content "$WORK/sim4/counts.h5ad")" ] &&
	ok "simulate 1 vs 4 threads: h5ad contents identical" || not_ok "simulate 1 vs 4 threads: h5ad contents differ"

for t in 1 4; do
	"$I" -q --threads $t "$WORK/sim/counts" -d "$WORK/sim/cell_days.tsv" -o "$WORK/cells.h5ad" && mv "$WORK/cells.h5ad" "$WORK/cells.$t.a.h5ad"
	"$I" -q --threads $t "$WORK/sim/counts" -d "$WORK/sim/cell_days.tsv" -o "$WORK/cells.h5ad" && mv "$WORK/cells.h5ad" "$WORK/cells.$t.b.h5ad"
	cmp -s "$WORK/cells.$t.a.h5ad" "$WORK/cells.$t.b.h5ad" && ok "ingest twice at $t threads: byte-identical" ||
		not_ok "ingest twice at $t threads: outputs differ"
done
[ "$(content "$WORK/cells.1.a.h5ad")" = "$(content "$WORK/cells.4.a.h5ad")" ] &&
	ok "ingest 1 vs 4 threads: contents identical" || not_ok "ingest 1 vs 4 threads: contents differ"
# the rest of the pipeline that exists: normalize and pca, twice at 1 thread and once at 4
N=$BIN/scuot-normalize
P=$BIN/scuot-pca
for t in 1 4; do
	for r in a b; do
		"$N" -q --threads $t "$WORK/cells.1.a.h5ad" --n-top-genes 100 -o "$WORK/norm.h5ad" &&
			mv "$WORK/norm.h5ad" "$WORK/norm.$t.$r.h5ad"
		"$P" -q --threads $t "$WORK/norm.$t.a.h5ad" -k 10 --svd-solver randomized -o "$WORK/pca.h5ad" &&
			mv "$WORK/pca.h5ad" "$WORK/pca.$t.$r.h5ad"
	done
	for s in norm pca; do
		cmp -s "$WORK/$s.$t.a.h5ad" "$WORK/$s.$t.b.h5ad" && ok "$s twice at $t threads: byte-identical" ||
			not_ok "$s twice at $t threads: outputs differ"
	done
done
for s in norm pca; do
	[ "$(content "$WORK/$s.1.a.h5ad")" = "$(content "$WORK/$s.4.a.h5ad")" ] &&
		ok "$s 1 vs 4 threads: contents identical" || not_ok "$s 1 vs 4 threads: contents differ"
done

# transport results and interpolations: same contents at 1 and 4 threads and on reruns (the solve time and the
# command line, which names the thread count, excepted)
T=$BIN/scuot-transport
IP=$BIN/scuot-interpolate
for m in emd uot wfr; do
	for run in 1.a 1.b 4.a; do
		t=${run%.*}
		"$T" -q --threads $t --method $m --from 0 --to 2 "$WORK/pca.1.a.h5ad" -o "$WORK/$m.$run.h5" &&
			"$IP" -q --threads $t --at 1 "$WORK/$m.1.a.h5" -o "$WORK/$m.$run.h5ad" || not_ok "$m at $t threads"
	done
	if "$PYTHON3" - "$WORK/$m.1.a.h5" "$WORK/$m.1.b.h5" "$WORK/$m.4.a.h5" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
def items(path):
    out = {}
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and name not in ("problem/command", "diagnostics/seconds"):
            out[name] = obj[()]
    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return out
ref = items(sys.argv[1])
for other in sys.argv[2:]:
    o = items(other)
    assert o.keys() == ref.keys(), (other, set(o) ^ set(ref))
    for k in ref:
        assert np.array_equal(np.asarray(ref[k]), np.asarray(o[k])), (other, k)
PY
	then ok "$m result: rerun and 4 threads identical to 1 thread"
	else not_ok "$m result differs between runs or thread counts" "$(cat "$WORK/py.out")"
	fi
	[ "$(content "$WORK/$m.1.a.h5ad")" = "$(content "$WORK/$m.1.b.h5ad")" ] &&
		[ "$(content "$WORK/$m.1.a.h5ad")" = "$(content "$WORK/$m.4.a.h5ad")" ] &&
		ok "$m interpolation: rerun and 4 threads identical" || not_ok "$m interpolation differs"
done

# --- --max-memory: a transport larger than its budget runs blocked, and its peak RSS does not grow with n m ---
peak() { sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$1" | tail -1; }
"$S" -q --seed 4 --days 0,1 --cells 2400 --genes 200 -o "$WORK/mem" &&
	"$I" -q "$WORK/mem/counts.h5ad" -o "$WORK/mem/c.h5ad" && "$N" -q "$WORK/mem/c.h5ad" --n-top-genes 100 -o "$WORK/mem/n.h5ad" &&
	"$P" -q "$WORK/mem/n.h5ad" -k 10 -o "$WORK/mem/p.h5ad" || not_ok "make the memory-test input"
# full storage needs 2400 x 2400 doubles twice (kernel and coupling, 92 MB); the budget is 4 MB
"$T" --method uot --max-iter 20 --max-memory 4M --topk 10 --from 0 --to 1 "$WORK/mem/p.h5ad" -o "$WORK/mem/b.h5" 2>"$WORK/mem/b.log"
rb=$?
"$T" --method uot --max-iter 20 --from 0 --to 1 "$WORK/mem/p.h5ad" -o "$WORK/mem/f.h5" 2>"$WORK/mem/f.log"
rf=$?
# baseline: the same stage on 150 x 150 cells (libraries, input, tables)
"$T" --method uot --max-iter 20 --from 0 --to 2 "$WORK/pca.1.a.h5ad" -o "$WORK/mem/s.h5" 2>"$WORK/mem/s.log"
pb=$(peak "$WORK/mem/b.log") pf=$(peak "$WORK/mem/f.log") p0=$(peak "$WORK/mem/s.log")
if [ $rb = 0 ] && [ $rf = 0 ] && grep -q "recomputed on the fly" "$WORK/mem/b.log" && grep -q "does not fit" "$WORK/mem/b.log" &&
	awk -v b="$pb" -v f="$pf" -v z="$p0" 'BEGIN { exit !(f - b > 40 && b - z < 4 + 4) }'; then
	ok "uot over a 4 MB budget: blocked kernel, top-k coupling, peak RSS $pb MB = baseline $p0 MB + less than 4 MB budget + 4 MB (unbounded: $pf MB)"
else
	not_ok "uot over a 4 MB budget: peak RSS $pb MB, baseline $p0 MB, unbounded $pf MB (status $rb $rf)" "$(cat "$WORK/mem/b.log")"
fi
run_expect "emd refuses a cost matrix over the budget" 1 "needs .*--max-memory" "$WORK/mem/e.h5" \
	"$T" --method emd --max-memory 4M --from 0 --to 1 "$WORK/mem/p.h5ad" -o "$WORK/mem/e.h5"

# the simulator's h5ad carries truth columns the 10x directory lacks: compare X and the indices
counts_only() {
	"$DUMP" h5ad "$1" | "$PYTHON3" -c 'import json, sys
d = json.load(sys.stdin); print(json.dumps([d["X"], d["obs"]["index"], d["var"]["index"]]))'
}
"$I" -q "$WORK/sim/counts.h5ad" --day-key day -o "$WORK/cells.h5" && mv "$WORK/cells.h5" "$WORK/from_h5ad.h5ad"
[ "$(counts_only "$WORK/from_h5ad.h5ad")" = "$(counts_only "$WORK/cells.1.a.h5ad")" ] &&
	ok "ingest of the h5ad and of the 10x directory agree" || not_ok "ingest of the h5ad and of the 10x directory differ"

# --- a bigger input for the failure tests: writing takes long enough to be interrupted ---
"$S" -q --seed 2 --days 0,1 --cells 2500 --genes 2000 -o "$WORK/big" || not_ok "simulate big"
sum_before=$(cat "$WORK/big/counts/"* "$WORK/big/cell_days.tsv" | cksum)
inputs_untouched() {
	[ "$(cat "$WORK/big/counts/"* "$WORK/big/cell_days.tsv" | cksum)" = "$sum_before" ] &&
		ok "$1: inputs untouched" || not_ok "$1: inputs changed"
}

if [ "$(id -u)" = 0 ] && mkdir -p "$WORK/mnt" && mount -t tmpfs -o size=256k tmpfs "$WORK/mnt" 2>/dev/null; then
	run_expect "disk full" 1 "mnt/cells.h5ad.*No space left on device" "$WORK/mnt/cells.h5ad" \
		"$I" "$WORK/big/counts" -d "$WORK/big/cell_days.tsv" -o "$WORK/mnt/cells.h5ad"
	[ -z "$(ls -A "$WORK/mnt")" ] && ok "disk full: nothing left on the full disk" || not_ok "disk full: files left" "$(ls -A "$WORK/mnt")"
	inputs_untouched "disk full"
	mount -o remount,ro "$WORK/mnt"
	run_expect "read-only output directory" 1 "mnt/cells.h5ad.*Read-only file system" "$WORK/mnt/cells.h5ad" \
		"$I" "$WORK/big/counts" -d "$WORK/big/cell_days.tsv" -o "$WORK/mnt/cells.h5ad"
	umount "$WORK/mnt"
else
	echo "skip: disk-full and read-only tests need root and tmpfs mounts"
fi

# Start ingest in the background, wait until its temporary output exists, send SIG.
# A signal that arrives before the write is as good a test, but we aim for mid-write.
interrupt() { # SIG
	rm -f "$WORK/out/"* "$WORK/out/".* 2>/dev/null
	mkdir -p "$WORK/out"
	env --default-signal=INT "$I" -q "$WORK/big/counts" -d "$WORK/big/cell_days.tsv" -o "$WORK/out/cells.h5ad" &
	pid=$!
	i=0
	while [ $i -lt 2000 ] && ! ls -a "$WORK/out" | grep -q 'tmp'; do
		sleep 0.005
		i=$((i + 1))
	done
	kill -s "$1" $pid 2>/dev/null
	wait $pid
	echo $?
}
for sig in KILL TERM INT; do
	case $sig in KILL) want=137 ;; TERM) want=143 ;; INT) want=130 ;; esac
	st=$(interrupt $sig)
	if [ "$st" = 0 ]; then
		echo "note: ingest finished before SIG$sig arrived; not counted"
		continue
	fi
	[ "$st" = "$want" ] && ok "SIG$sig: exit status $st" || not_ok "SIG$sig: exit status $st, expected $want"
	[ ! -e "$WORK/out/cells.h5ad" ] && ok "SIG$sig: no output at the target" || not_ok "SIG$sig: output exists"
	if [ $sig != KILL ]; then
		[ -z "$(ls -A "$WORK/out")" ] && ok "SIG$sig: temporary removed" || not_ok "SIG$sig: files left" "$(ls -A "$WORK/out")"
	fi
	"$I" -q "$WORK/big/counts" -d "$WORK/big/cell_days.tsv" -o "$WORK/out/cells.h5ad" && [ -s "$WORK/out/cells.h5ad" ] &&
		ok "SIG$sig: a rerun succeeds" || not_ok "SIG$sig: rerun failed"
done
inputs_untouched "signals"

finish
