# tests/cli/rank.sh -- scuot-rank on data/example (days 2 -> 4, uot and emd): the cells table (ranks,
# percentiles, annotations), Spearman matrix, growth genes recomputed with scipy.stats from norm.h5ad
# (tests/cli/rank_check.py), and every bad input of issue 8 (exit 2, the file named, no output left).
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -d "$EX/cell_days.tsv" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 300 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 20 --fit-days 2,4 -o "$WORK/pca24.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 20 --fit-days 4,6 -o "$WORK/pca46.h5ad" &&
	"$BIN/scuot-transport" -q --method uot --from 2 --to 4 "$WORK/pca24.h5ad" -o "$WORK/uot.h5" &&
	"$BIN/scuot-transport" -q --method sinkhorn --from 2 --to 4 "$WORK/pca24.h5ad" -o "$WORK/sinkhorn.h5" &&
	"$BIN/scuot-transport" -q --method uot --from 4 --to 6 "$WORK/pca46.h5ad" -o "$WORK/uot46.h5" &&
	"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -d "$EX/cell_days.tsv" --keep-days 4,6 -o "$WORK/cells46.h5ad" ||
	{ not_ok "make the input"; finish; exit 1; }

run_expect "help" 0 "" - "$BIN/scuot-rank" --help
grep -q '^Usage: scuot-rank' "$WORK/stdout" && ok "usage on stdout" || not_ok "usage on stdout"
run_expect "rank uot and sinkhorn" 0 "top 30 of 300 source cells" "$WORK/cells.tsv" "$BIN/scuot-rank" \
	"$WORK/uot.h5" "$WORK/sinkhorn.h5" --expr "$WORK/norm.h5ad" --annotate lineage,growth_rate \
	--genes "$WORK/genes.tsv" --compare "$WORK/cmp.tsv" -o "$WORK/cells.tsv"
if "$PYTHON3" "$top_srcdir/tests/cli/rank_check.py" "$WORK/uot.h5" "$WORK/norm.h5ad" "$WORK/cells.tsv" \
	"$WORK/genes.tsv" "$WORK/cmp.tsv" >"$WORK/check.out" 2>&1; then
	ok "cells, genes and Spearman agree with numpy/scipy ($(tail -1 "$WORK/check.out"))"
else
	not_ok "cells, genes and Spearman agree with numpy/scipy" "$(cat "$WORK/check.out")"
fi
run_expect "threads 4 gives the same tables" 0 "" "$WORK/cells4.tsv" "$BIN/scuot-rank" --threads 4 \
	"$WORK/uot.h5" "$WORK/sinkhorn.h5" --expr "$WORK/norm.h5ad" --annotate lineage,growth_rate \
	--genes "$WORK/genes4.tsv" -o "$WORK/cells4.tsv"
cmp -s "$WORK/cells.tsv" "$WORK/cells4.tsv" && cmp -s "$WORK/genes.tsv" "$WORK/genes4.tsv" &&
	ok "identical at 1 and 4 threads" || not_ok "identical at 1 and 4 threads"

# bad inputs
run_expect "another method than --method" 2 "sinkhorn.h5.*(sinkhorn|uot)" "$WORK/bad.tsv" "$BIN/scuot-rank" \
	--method uot "$WORK/sinkhorn.h5" -o "$WORK/bad.tsv"
run_expect "not a transport result" 2 "norm.h5ad" "$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/norm.h5ad" \
	-o "$WORK/bad.tsv"
run_expect "missing result file" 2 "nothere.h5" "$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/nothere.h5" \
	-o "$WORK/bad.tsv"
run_expect "cells missing from the expression file" 2 "cells46.h5ad: 300 of the 300 source cells .*d2_c0001" \
	"$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/uot.h5" --expr "$WORK/cells46.h5ad" --genes "$WORK/badg.tsv" \
	-o "$WORK/bad.tsv"
[ -e "$WORK/badg.tsv" ] && not_ok "no genes table after a failure" || ok "no genes table after a failure"
run_expect "cells missing from the obs file" 2 "cells46.h5ad: 300 of the 300" "$WORK/bad.tsv" "$BIN/scuot-rank" \
	"$WORK/uot.h5" --obs "$WORK/cells46.h5ad" --annotate lineage -o "$WORK/bad.tsv"
run_expect "unknown annotation column" 2 "/obs/colour: no such column.*lineage" "$WORK/bad.tsv" \
	"$BIN/scuot-rank" "$WORK/uot.h5" --obs "$WORK/cells.h5ad" --annotate colour -o "$WORK/bad.tsv"
for f in 0 1 -0.1 1.5 abc; do
	run_expect "top fraction $f" 2 "top-fraction" "$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/uot.h5" \
		--expr "$WORK/norm.h5ad" --genes "$WORK/badg.tsv" --top-fraction $f -o "$WORK/bad.tsv"
done
run_expect "top fraction leaving one cell" 2 "at least 2" "$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/uot.h5" \
	--expr "$WORK/norm.h5ad" --genes "$WORK/badg.tsv" --top-fraction 0.001 -o "$WORK/bad.tsv"
run_expect "compare results of different days" 2 "same pair of days" "$WORK/bad.tsv" "$BIN/scuot-rank" \
	"$WORK/uot.h5" "$WORK/uot46.h5" --compare "$WORK/badc.tsv" -o "$WORK/bad.tsv"
run_expect "compare needs two results" 2 "at least 2 results" "$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/uot.h5" \
	--compare "$WORK/badc.tsv" -o "$WORK/bad.tsv"
run_expect "genes without --expr" 2 "needs the expression file" "$WORK/bad.tsv" "$BIN/scuot-rank" "$WORK/uot.h5" \
	--genes "$WORK/badg.tsv" -o "$WORK/bad.tsv"
run_expect "no output" 2 "no output file" - "$BIN/scuot-rank" "$WORK/uot.h5"
# --- transport maps (Waddington-OT's layout) rank like their result; posterior growth rates ---
"$BIN/scuot-transport" -q --method uot --from 2 --to 4 "$WORK/pca24.h5ad" -o "$WORK/uot_b.h5" \
	--export-tmap "$WORK/tmaps_2_4.h5ad" || not_ok "export a map"
run_expect "rank a transport map" 0 "" "$WORK/cells_t.tsv" "$BIN/scuot-rank" "$WORK/tmaps_2_4.h5ad" -o "$WORK/cells_t.tsv"
"$PYTHON3" - "$WORK/cells.tsv" "$WORK/cells_t.tsv" "$WORK/uot.h5" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np, pandas as pd
a = pd.read_csv(sys.argv[1], sep="\t"); a = a[a["method"] == "uot"].reset_index(drop=True)
t = pd.read_csv(sys.argv[2], sep="\t")
assert list(a["cell"]) == list(t["cell"]) and (t["from"] == 2).all() and (t["to"] == 4).all()
assert np.allclose(a["scaling"], t["scaling"], rtol=1e-5)  # the map stores float32
f = h5py.File(sys.argv[3], "r"); n = len(f["problem/a"])
want = (f["problem/a"][:] * n * f["marginals/scaling"][:]) ** (1 / 2.0)
assert np.allclose(a["posterior_growth_rate"], want, rtol=1e-5)
print("ok")
PY
[ $? = 0 ] && ok "a map ranks as its result; posterior growth rates (a n scaling)^(1/dt)" || not_ok "rank a map" "$(cat "$WORK/py.out")"
cp "$WORK/tmaps_2_4.h5ad" "$WORK/nodays.h5ad"
"$PYTHON3" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); del f['uns/tmap']" "$WORK/nodays.h5ad"
run_expect "a map without days" 2 "nodays.h5ad: no uns/tmap t0 and t1 and no days in the file name" "$WORK/x.tsv" \
	"$BIN/scuot-rank" "$WORK/nodays.h5ad" -o "$WORK/x.tsv"
finish
