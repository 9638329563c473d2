# tests/cli/normalize.sh -- scuot-normalize on the fixture counts (tests/fixtures/prep) and every bad
# input of its issue: message, exit status 2 and no output file afterwards.
. "${top_srcdir:-.}/tests/cli/lib.sh"
N=$BIN/scuot-normalize
FX=$top_srcdir/tests/fixtures/prep
O=$WORK/out
if ! "$PYTHON3" "$top_srcdir/tests/cli/prep_input.py" "$FX" "$WORK" 2>"$WORK/py.err"; then
	echo "SKIP: $PYTHON3 with anndata could not write the inputs: $(tail -1 "$WORK/py.err")"
	exit 77
fi
C=$WORK/counts.h5ad

# --- usage ---
run_expect "help" 0 "" - "$N" --help
grep -q '^Usage: scuot-normalize' "$WORK/stdout" && ok "help on stdout" || not_ok "help on stdout"
grep -q -- '--n-top-genes N .*\[2000\]' "$WORK/stdout" && grep -q -- '--target-sum X .*\[10000\]' "$WORK/stdout" &&
	grep -q -- '\[0.3, 1.7, 0.1, 0.2\]' "$WORK/stdout" && ok "help prints defaults" || not_ok "help prints defaults"
run_expect "version" 0 "" - "$N" --version
grep -q '^scuot [0-9]' "$WORK/stdout" && ok "version line" || not_ok "version line"
run_expect "no input" 2 "no input file" - "$N" -o "$O.h5ad"
run_expect "no output" 2 "no output file" - "$N" "$C"
run_expect "unknown option" 2 "unknown option" - "$N" --bogus "$C" -o "$O.h5ad"
run_expect "bad flavour" 2 "--hvg-flavor: 'cell_ranger' is not seurat or seurat_v3" - "$N" --hvg-flavor cell_ranger "$C" -o "$O.h5ad"
run_expect "bad fraction" 2 "--max-mito: 2 is not a fraction" - "$N" --max-mito 2 "$C" -o "$O.h5ad"
run_expect "bad number" 2 "--target-sum: '1e4x' is not a finite number" - "$N" --target-sum 1e4x "$C" -o "$O.h5ad"
run_expect "seurat_v3 needs n" 2 "seurat_v3 needs a number of genes" - "$N" --hvg-flavor seurat_v3 --n-top-genes 0 "$C" -o "$O.h5ad"
run_expect "missing input" 2 "nonexistent.h5ad" "$O.h5ad" "$N" "$WORK/nonexistent.h5ad" -o "$O.h5ad"

# --- good runs ---
run_expect "normalize" 0 "highly variable genes \(seurat\): 20 of 99" "$O.h5ad" \
	"$N" "$C" --n-top-genes 20 --gene-sets "$FX/sets.gmt" -o "$O.h5ad"
grep -q "set 'proliferation': 15 of 16 genes found, 1 unknown" "$WORK/stderr" && ok "unknown .gmt genes counted" ||
	not_ok "unknown .gmt genes counted" "$(cat "$WORK/stderr")"
grep -q "QC: --min-cells 1 removed 1 of 100 genes" "$WORK/stderr" && ok "QC filter logged" || not_ok "QC filter logged"
"$PYTHON3" - "$O.h5ad" "$C" "$FX" >"$WORK/py.out" 2>&1 <<'PY'
import sys, anndata, numpy as np
a, raw = anndata.read_h5ad(sys.argv[1]), anndata.read_h5ad(sys.argv[2])
want = np.loadtxt(sys.argv[3] + "/normalized.txt", dtype=np.float32)
assert a.X.dtype == np.float32 and np.array_equal(a.X.data, want), "X differs from numpy's log1p normalisation"
assert (a.layers["counts"] != raw.X[:, :99]).nnz == 0, "layers/counts is not the raw counts"
assert a.var["highly_variable"].sum() == 20
for c in ["proliferation_score", "apoptosis_score", "birth_rate", "death_rate", "growth_prior"]:
    assert c in a.obs, c
exp = {l.split()[0]: np.array(l.split()[2:], float) for l in open(sys.argv[3] + "/expected.txt")}
assert np.allclose(a.obs["growth_prior"], exp["growth_prior"], rtol=1e-9)
assert a.uns["normalize"]["target_sum"] == 1e4 and a.uns["hvg"]["flavor"] == "seurat"
PY
[ $? = 0 ] && ok "output read by anndata: X, counts, HVGs, growth prior" || not_ok "output checked with anndata" "$(cat "$WORK/py.out")"
run_expect "same run again" 0 "" "$O.2.h5ad" "$N" "$C" --n-top-genes 20 --gene-sets "$FX/sets.gmt" -o "$O.2.h5ad"
"$PYTHON3" "$top_srcdir/tests/cli/h5same.py" "$O.h5ad" "$O.2.h5ad" >"$WORK/py.out" 2>&1 && ok "two runs identical" ||
	not_ok "two runs identical" "$(cat "$WORK/py.out")"
for t in 1 4; do
	run_expect "threads $t" 0 "" "$O.t$t.h5ad" "$N" "$C" --threads $t --hvg-flavor seurat_v3 --hvg-per-day \
		--n-top-genes 20 -o "$O.t$t.h5ad"
done
"$PYTHON3" "$top_srcdir/tests/cli/h5same.py" "$O.t1.h5ad" "$O.t4.h5ad" >"$WORK/py.out" 2>&1 &&
	ok "--threads 1 and 4 identical" || not_ok "--threads 1 and 4 identical" "$(cat "$WORK/py.out")"
run_expect "subset and scale" 0 "--subset: kept the 20 highly variable genes" "$O.s.h5ad" \
	"$N" "$C" --n-top-genes 20 --subset --scale --max-value 3 -o "$O.s.h5ad"
"$PYTHON3" -c "
import sys, anndata, numpy as np
a = anndata.read_h5ad(sys.argv[1]); X = a.X.toarray()
assert a.n_vars == 20 and X.max() <= 3 and X.min() >= -3 and abs(X.mean(0)).max() < 0.2, (a.n_vars, X.max())
" "$O.s.h5ad" >"$WORK/py.out" 2>&1 && ok "scaled and clipped" || not_ok "scaled and clipped" "$(cat "$WORK/py.out")"
run_expect "QC filters" 0 "--min-counts 40 removed 2 cells, --min-genes 15 removed 1, --max-mito 0.3 removed 1" \
	"$O.q.h5ad" "$N" "$C" --min-counts 40 --min-genes 15 --max-mito 0.3 --min-cells 5 --n-top-genes 10 -o "$O.q.h5ad"

# --- bad inputs ---
run_expect "all cells filtered" 2 "removed all 200 cells .*--min-counts 1e\+06 removed the most" "$O.b.h5ad" \
	"$N" "$C" --min-counts 1e6 -o "$O.b.h5ad"
run_expect "all genes filtered" 2 "--min-cells 1000 removed all 100 genes" "$O.b.h5ad" "$N" "$C" --min-cells 1000 -o "$O.b.h5ad"
run_expect "negative count" 2 "negative.h5ad: /X: cell 'cell000', gene '[^']*' holds the value -3" "$O.b.h5ad" \
	"$N" "$WORK/negative.h5ad" -o "$O.b.h5ad"
run_expect "NaN count" 2 "nan.h5ad: /X(/data: row 0, column [0-9]+: value nan is not finite|: cell 'cell000', gene '[^']*' holds nan)" "$O.b.h5ad" "$N" "$WORK/nan.h5ad" -o "$O.b.h5ad"
run_expect "constant genes" 2 "all 100 genes are constant across the 200 cells" "$O.b.h5ad" \
	"$N" "$WORK/constant.h5ad" -o "$O.b.h5ad"
run_expect "day left without cells" 2 "day 9 has no cells left after the QC filters \(--min-counts 40" "$O.b.h5ad" \
	"$N" "$WORK/loneday.h5ad" --min-counts 40 -o "$O.b.h5ad"
printf 'proliferation\tcc\tGene031\nbroken line without tabs\n' >"$WORK/bad.gmt"
run_expect "malformed .gmt line" 2 "bad.gmt: line 2: a .gmt line needs a set name, a description and at least one member" \
	"$O.b.h5ad" "$N" "$C" --gene-sets "$WORK/bad.gmt" -o "$O.b.h5ad"
printf 'proliferation\tcc\tNOPE1\tNOPE2\napoptosis\ta\tGene046\n' >"$WORK/unknown.gmt"
run_expect "set without known genes" 2 "none of the 2 genes of set 'proliferation' is a gene of the data" "$O.b.h5ad" \
	"$N" "$C" --gene-sets "$WORK/unknown.gmt" -o "$O.b.h5ad"
run_expect "missing set name" 2 "no gene set named 'mitosis'" "$O.b.h5ad" \
	"$N" "$C" --gene-sets "$FX/sets.gmt" --proliferation-set mitosis -o "$O.b.h5ad"
run_expect "missing .gmt" 2 "nowhere.gmt: cannot open" "$O.b.h5ad" "$N" "$C" --gene-sets "$WORK/nowhere.gmt" -o "$O.b.h5ad"
run_expect "per-day HVGs, single-cell day" 2 "day 9 has a single cell" "$O.b.h5ad" \
	"$N" "$WORK/loneday.h5ad" --hvg-per-day -o "$O.b.h5ad"

finish
