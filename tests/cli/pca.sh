# tests/cli/pca.sh -- scuot-pca on the normalised fixture counts: global and local PCA checked against
# scikit-learn, the stored model, determinism, and every bad input of its issue.
. "${top_srcdir:-.}/tests/cli/lib.sh"
P=$BIN/scuot-pca
FX=$top_srcdir/tests/fixtures/prep
O=$WORK/out
if ! "$PYTHON3" "$top_srcdir/tests/cli/prep_input.py" "$FX" "$WORK" 2>"$WORK/py.err"; then
	echo "SKIP: $PYTHON3 with anndata could not write the inputs: $(tail -1 "$WORK/py.err")"
	exit 77
fi
NORM=$WORK/norm.h5ad
"$BIN/scuot-normalize" -q "$WORK/counts.h5ad" --n-top-genes 40 -o "$NORM" || { not_ok "normalize the input"; finish; exit 1; }

# --- usage ---
run_expect "help" 0 "" - "$P" --help
grep -q '^Usage: scuot-pca' "$WORK/stdout" && grep -q -- '-k, --n-comps N .*\[30\]' "$WORK/stdout" &&
	grep -q -- '--svd-solver S .*' "$WORK/stdout" && ok "help with defaults" || not_ok "help with defaults"
run_expect "version" 0 "" - "$P" --version
run_expect "no output" 2 "no output file" - "$P" "$NORM"
run_expect "bad solver" 2 "--svd-solver: 'arpack' is not auto, exact or randomized" - "$P" --svd-solver arpack "$NORM" -o "$O.h5ad"
run_expect "bad k" 2 "--n-comps: 'x' is not an integer" - "$P" -k x "$NORM" -o "$O.h5ad"
run_expect "bad fit days" 2 "--fit-days: 'a' is not a finite number" - "$P" --fit-days 0,a "$NORM" -o "$O.h5ad"

# --- good runs, checked against scikit-learn ---
run_expect "global PCA" 0 "PCA on the 40 highly variable genes of 99" "$O.h5ad" "$P" "$NORM" -k 10 -o "$O.h5ad"
run_expect "local PCA" 0 "local PCA: fit on 140 cells of 2 days, projecting all 200 cells" "$O.l.h5ad" \
	"$P" "$NORM" -k 10 --fit-days 0,1 -o "$O.l.h5ad"
run_expect "randomized" 0 "randomised solver" "$O.r.h5ad" "$P" "$NORM" -k 10 --svd-solver randomized --seed 3 -o "$O.r.h5ad"
"$PYTHON3" - "$O.h5ad" "$O.l.h5ad" "$O.r.h5ad" >"$WORK/py.out" 2>&1 <<'PY'
import sys, anndata, numpy as np
from sklearn.decomposition import PCA
g, l, r = (anndata.read_h5ad(f) for f in sys.argv[1:4])
hv = g.var["highly_variable"].values
X = g.X.toarray()[:, hv].astype(np.float64)
ref = PCA(10, svd_solver="full").fit(X)
assert np.allclose(g.uns["pca"]["variance_ratio"], ref.explained_variance_ratio_, rtol=1e-6)
assert np.allclose(r.uns["pca"]["variance_ratio"][:3], ref.explained_variance_ratio_[:3], rtol=1e-3)
# the stored model reproduces the scores of every cell
for a in (g, l, r):
    T = (a.X.toarray() - a.uns["pca"]["mean"]) @ a.varm["PCs"]
    assert np.abs(T - a.obsm["X_pca"]).max() < 1e-9
assert np.all(g.varm["PCs"][~hv] == 0)
d = l.obs["day"].values
loc = PCA(10, svd_solver="full").fit(X[d <= 1])
assert np.allclose(l.uns["pca"]["variance_ratio"], loc.explained_variance_ratio_, rtol=1e-6)
assert list(l.uns["pca"]["fit_days"]) == [0, 1] and l.uns["pca"]["n_fit_cells"] == 140
# deterministic signs: the largest |loading| of each component is positive
V = g.varm["PCs"]
assert np.all(V[np.abs(V).argmax(0), np.arange(10)] > 0)
PY
[ $? = 0 ] && ok "variance ratios, scores, local fit and signs match scikit-learn" || not_ok "checked with scikit-learn" "$(cat "$WORK/py.out")"
run_expect "randomized again" 0 "" "$O.r2.h5ad" "$P" "$NORM" -k 10 --svd-solver randomized --seed 3 -o "$O.r2.h5ad"
"$PYTHON3" "$top_srcdir/tests/cli/h5same.py" "$O.r.h5ad" "$O.r2.h5ad" >"$WORK/py.out" 2>&1 && ok "two runs identical" ||
	not_ok "two runs identical" "$(cat "$WORK/py.out")"
for t in 1 4; do
	run_expect "threads $t randomized" 0 "" "$O.t$t.h5ad" "$P" "$NORM" --threads $t -k 8 --svd-solver randomized -o "$O.t$t.h5ad"
	run_expect "threads $t exact" 0 "" "$O.e$t.h5ad" "$P" "$NORM" --threads $t -k 8 --svd-solver exact -o "$O.e$t.h5ad"
done
"$PYTHON3" "$top_srcdir/tests/cli/h5same.py" "$O.t1.h5ad" "$O.t4.h5ad" >"$WORK/py.out" 2>&1 &&
	ok "randomized: --threads 1 and 4 identical" || not_ok "randomized: --threads 1 and 4 identical" "$(cat "$WORK/py.out")"
# the exact solver uses threaded BLAS: equal up to the order of floating-point sums
"$PYTHON3" "$top_srcdir/tests/cli/h5same.py" "$O.e1.h5ad" "$O.e4.h5ad" 1e-10 >"$WORK/py.out" 2>&1 &&
	ok "exact: --threads 1 and 4 equal within 1e-10" || not_ok "exact: --threads 1 and 4 equal" "$(cat "$WORK/py.out")"
run_expect "all genes" 0 "PCA: 5 components of 200 cells x 99 genes" "$O.a.h5ad" "$P" "$NORM" -k 5 --all-genes -o "$O.a.h5ad"

# --- bad inputs ---
run_expect "k too large" 2 "50 components asked for, but 200 cells x 40 genes allow at most min\(cells, genes\) = 40" \
	"$O.b.h5ad" "$P" "$NORM" -k 50 -o "$O.b.h5ad"
run_expect "k too large for the fit days" 2 "at most min\(cells, genes\) = 40" "$O.b.h5ad" "$P" "$NORM" -k 41 --fit-days 2 -o "$O.b.h5ad"
run_expect "NaN in X" 2 "norm_nan.h5ad: /X(/data: row 0, column [0-9]+: value nan is not finite|: cell 'cell000', gene '[^']*' holds nan)" "$O.b.h5ad" "$P" "$WORK/norm_nan.h5ad" -o "$O.b.h5ad" -k 5
run_expect "negative in X" 2 "negative.h5ad: /X: .* holds the value -3; expression values cannot be negative" "$O.b.h5ad" \
	"$P" "$WORK/negative.h5ad" -k 5 -o "$O.b.h5ad"
run_expect "negative allowed" 0 "" "$O.n.h5ad" "$P" "$WORK/negative.h5ad" -k 5 --allow-negative -o "$O.n.h5ad"
run_expect "fit day without cells" 2 "--fit-days: day 3 has no cells \(days present: 0, 1, 2\)" "$O.b.h5ad" \
	"$P" "$NORM" --fit-days 2,3 -o "$O.b.h5ad"
run_expect "constant genes only" 2 "PCA: all 100 genes are constant over the 200 fit cells" "$O.b.h5ad" "$P" "$WORK/constant.h5ad" -k 5 -o "$O.b.h5ad"

finish
