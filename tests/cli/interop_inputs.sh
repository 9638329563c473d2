# tests/cli/interop_inputs.sh -- Waddington-OT's input files read by scuot (issue 11, input side): the expression
# txt (tab, comma, gzip), cell_days, cell_growth_rates and covariates (--obs) carried through normalize and pca to
# scuot-transport --growth-column, gene sets as .gmt / .gmx / .grp (identical growth priors), cell sets for
# --cells, FILE.h5ad#COL as a day table; old AnnData layouts that are broken.  Every bad input exits 2 naming
# the file and the problem.  (tests/interop/read_fixtures.sh checks the values read from each anndata layout.)
. "${top_srcdir:-.}/tests/cli/lib.sh"
I=$BIN/scuot-ingest N=$BIN/scuot-normalize P=$BIN/scuot-pca T=$BIN/scuot-transport
W=$WORK/wot
mkdir -p "$W"
# 40 cells (days 0 and 1) x 30 genes, Poisson counts; WOT's files as its docs describe them
"$PYTHON3" - "$W" <<'PY' || { echo "FAIL: could not write the inputs"; exit 1; }
import gzip, sys
import numpy as np
w = sys.argv[1]
r = np.random.default_rng(11)
n, m = 40, 30
X = r.poisson(3.0, size=(n, m)) * (r.random((n, m)) < 0.8)
X[:, 0] += r.poisson(10, n) * (np.arange(n) % 2)  # MKI67 tracks odd cells
cells = [f"cell{i:02d}" for i in range(n)]
genes = ["MKI67", "TOP2A", "CDK1", "CASP3", "BAX"] + [f"G{j:02d}" for j in range(5, m)]
lines = ["id\t" + "\t".join(genes)] + [c + "\t" + "\t".join(str(v) for v in row) for c, row in zip(cells, X)]
open(f"{w}/expr.txt", "w").write("\n".join(lines) + "\n")
with gzip.open(f"{w}/expr.txt.gz", "wt") as fp:
    fp.write("\n".join(lines) + "\n")
open(f"{w}/expr.csv", "w").write("\n".join(l.replace("\t", ",") for l in lines) + "\n")
np.savetxt(f"{w}/X.txt", X)
open(f"{w}/cell_days.txt", "w").write("id\tday\n" + "".join(f"{c}\t{i // 20}\n" for i, c in enumerate(cells)))
g = 0.5 + np.arange(n) / n
# no growth rate for cell07 (a missing value), one id without a cell
open(f"{w}/cell_growth_rates.txt", "w").write(
    "id\tcell_growth_rate\n" + "".join(f"{c}\t{g[i]!r}\n" for i, c in enumerate(cells) if i != 7) + "ghost\t2\n")
open(f"{w}/g.txt", "w").write("\n".join(repr(v) for v in g) + "\n")
open(f"{w}/covariates.txt", "w").write("id,covariate\n" + "".join(f"{c},batch{i % 3}\n" for i, c in enumerate(cells)))
# the same two gene sets in the three formats (with names that match no gene)
open(f"{w}/sets.gmt", "w").write("Cell.cycle\tcc\tMKI67\ttop2a\tCDK1\tNOPE1\n"
                                 "Apoptosis\tapo\tCASP3\tBAX\tNOPE2\n")
open(f"{w}/sets.gmx", "w").write("Cell.cycle\tApoptosis\ncc\tapo\nMKI67\tCASP3\ntop2a\tBAX\nCDK1\tNOPE2\nNOPE1\t\n")
open(f"{w}/Cell.cycle.grp", "w").write("# proliferation\nMKI67\ntop2a\nCDK1\nNOPE1\n")
open(f"{w}/Apoptosis.grp", "w").write("CASP3\nBAX\nNOPE2\n")
open(f"{w}/none.gmt", "w").write("Cell.cycle\tcc\tMKI67\nApoptosis\tapo\tXX1\tXX2\n")
# cell sets
open(f"{w}/early.grp", "w").write("cell00\ncell01\ncell02\n")
open(f"{w}/cellsets.gmt", "w").write("a\tx\tcell00\tcell01\ttypo\nb\tx\tcell01\tcell30\n")
open(f"{w}/cellsets.gmx", "w").write("a\tb\nx\tx\ncell00\tcell01\ncell01\tcell30\ntypo\t\n")
PY

# --- the expression txt: tab, gzip, comma; values as written ---
for f in expr.txt expr.txt.gz expr.csv; do
	run_expect "WOT expression $f" 0 "read 40 cells x 30 genes" "$W/$f.h5ad" "$I" "$W/$f" -d "$W/cell_days.txt" \
		-o "$W/$f.h5ad"
done
check() { # check NAME PYTHON-CODE (a = the h5ad named by $1 read by anndata; w = the input dir)
	name=$1; shift
	if out=$("$PYTHON3" -c "import sys, numpy as np, anndata; w = sys.argv[1]; a = anndata.read_h5ad(sys.argv[2]); $1" \
		"$W" "$2" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}
for f in expr.txt expr.txt.gz expr.csv; do
	check "values of $f" "X = np.loadtxt(w + '/X.txt'); d = np.abs(a.X.toarray() - X).max(); \
assert d == 0, f'max |observed - expected| = {d}'; assert list(a.obs_names[:2]) == ['cell00', 'cell01']; \
assert a.var_names[0] == 'MKI67'; assert list(a.obs.day) == [i // 20 for i in range(40)], list(a.obs.day)" "$W/$f.h5ad"
done

# --- cell_growth_rates and covariates through --obs; kept by normalize and pca ---
run_expect "--obs growth rates and covariates" 0 "1 cells are not in .*cell_growth_rates.txt: their cell_growth_rate values are missing \(first: 'cell07'\)" \
	"$W/cells.h5ad" "$I" "$W/expr.txt" -d "$W/cell_days.txt" --obs "$W/cell_growth_rates.txt" --obs "$W/covariates.txt" \
	-o "$W/cells.h5ad"
grep -q "1 ids of .*cell_growth_rates.txt name no cell (first: 'ghost')" "$WORK/stderr" && ok "--obs: table-only ids counted" ||
	not_ok "--obs: table-only ids counted" "$(cat "$WORK/stderr")"
GCHECK="g = np.loadtxt(w + '/g.txt'); o = a.obs.cell_growth_rate.to_numpy(); assert np.isnan(o[7]), o[7]; \
k = np.arange(40) != 7; d = np.abs(o[k] - g[k]).max(); assert d < 1e-12, f'max error {d}'; \
assert list(a.obs.covariate[:4]) == ['batch0', 'batch1', 'batch2', 'batch0'], list(a.obs.covariate[:4])"
check "--obs values (NaN where the table has no row)" "$GCHECK" "$W/cells.h5ad"
run_expect "normalize with gmt gene sets" 0 "" "$W/norm.h5ad" "$N" "$W/cells.h5ad" --n-top-genes 20 --min-cells 0 \
	--gene-sets "$W/sets.gmt" --proliferation-set cell.cycle --apoptosis-set apoptosis -o "$W/norm.h5ad"
grep -q "sets.gmt: 1 of the 4 genes of set 'Cell.cycle' are not genes of the data: NOPE1" "$WORK/stderr" &&
	ok "unmatched gene names logged" || not_ok "unmatched gene names logged" "$(cat "$WORK/stderr")"
check "normalize keeps the --obs columns" "$GCHECK" "$W/norm.h5ad"
run_expect "pca" 0 "" "$W/pca.h5ad" "$P" "$W/norm.h5ad" -k 5 --all-genes -o "$W/pca.h5ad"
check "pca keeps the --obs columns" "$GCHECK" "$W/pca.h5ad"
# transport: a_i = g_i^(t1 - t0) / n over the day-0 cells; cell07 (day 0) has no rate, so it is left out with --cells
printf 'cell%02d\n' $(seq 0 39 | grep -vx 7) >"$W/rated.txt"
run_expect "ingest the cells with a rate" 0 "kept 39 cells" "$W/cells39.h5ad" "$I" "$W/expr.txt" -d "$W/cell_days.txt" \
	--obs "$W/cell_growth_rates.txt" --cells "$W/rated.txt" -o "$W/cells39.h5ad"
"$N" -q "$W/cells39.h5ad" --n-top-genes 20 --min-cells 0 -o "$W/norm39.h5ad" && "$P" -q "$W/norm39.h5ad" -k 5 --all-genes \
	-o "$W/pca39.h5ad" || not_ok "normalize and pca of the 39 cells"
run_expect "transport --growth-column cell_growth_rate" 0 "" "$W/uot.h5" "$T" --method uot --from 0 --to 1 \
	--growth-column cell_growth_rate "$W/pca39.h5ad" -o "$W/uot.h5"
if out=$("$PYTHON3" -c "
import sys, h5py, numpy as np
g = np.loadtxt(sys.argv[1] + '/g.txt')[[i for i in range(20) if i != 7]]
with h5py.File(sys.argv[1] + '/uot.h5') as f:
    ids = [x.decode() for x in f['problem/source_ids'][()]]
    a = f['problem/a'][()]
assert ids == ['cell%02d' % i for i in range(20) if i != 7], ids
d = np.abs(a - g / len(g)).max()
assert d < 1e-12, f'source masses differ from g_i^(1-0)/n by up to {d}'
" "$W" 2>&1); then ok "transport source masses are WOT's cell_growth_rate^dt / n"; else not_ok "transport source masses" "$out"; fi

# --- gene sets: gmt, gmx, two grp files give the same growth prior ---
run_expect "normalize with gmx gene sets" 0 "" "$W/norm_gmx.h5ad" "$N" "$W/cells.h5ad" --n-top-genes 20 --min-cells 0 \
	--gene-sets "$W/sets.gmx" --proliferation-set cell.cycle --apoptosis-set apoptosis -o "$W/norm_gmx.h5ad"
run_expect "normalize with two grp files" 0 "" "$W/norm_grp.h5ad" "$N" "$W/cells.h5ad" --n-top-genes 20 --min-cells 0 \
	--gene-sets "$W/Cell.cycle.grp" --gene-sets "$W/Apoptosis.grp" --proliferation-set cell.cycle \
	--apoptosis-set apoptosis -o "$W/norm_grp.h5ad"
for f in norm_gmx norm_grp; do
	check "$f: growth prior equals the gmt one" "b = anndata.read_h5ad(w + '/norm.h5ad'); \
assert b.obs.growth_prior.std() > 0; \
d = max(np.abs(a.obs[c].to_numpy() - b.obs[c].to_numpy()).max() for c in ('proliferation_score', 'apoptosis_score', 'growth_prior')); \
assert d == 0, f'differs by {d}'" "$W/$f.h5ad"
done
run_expect "a growth set matching no gene" 2 "none.gmt: none of the 2 genes of set 'Apoptosis' is a gene of the data \(not found: XX1, XX2\)" \
	"$W/bad.h5ad" "$N" "$W/cells.h5ad" --gene-sets "$W/none.gmt" --proliferation-set cell.cycle --apoptosis-set apoptosis \
	-o "$W/bad.h5ad"
run_expect "a set defined in two files" 2 "Apoptosis.grp: set 'Apoptosis' is also defined in .*sets.gmt" "$W/bad.h5ad" \
	"$N" "$W/cells.h5ad" --gene-sets "$W/sets.gmt" --gene-sets "$W/Apoptosis.grp" -o "$W/bad.h5ad"
printf 'A\tB\ndesc\tdesc\nG1\tG2\tG3\n' >"$W/bad.gmx"
run_expect "malformed gmx" 2 "bad.gmx: line 3: member 'G3' in column 3, beyond the 2 set names" "$W/bad.h5ad" \
	"$N" "$W/cells.h5ad" --gene-sets "$W/bad.gmx" -o "$W/bad.h5ad"

# --- cell sets for --cells ---
run_expect "--cells grp" 0 "kept 3 cells, dropped 37 not listed; 0 listed ids" "$W/c1.h5ad" "$I" "$W/expr.txt" \
	-d "$W/cell_days.txt" --cells "$W/early.grp" -o "$W/c1.h5ad"
for f in cellsets.gmt cellsets.gmx; do
	run_expect "--cells $f: union of the sets" 0 "kept 3 cells, dropped 37 not listed; 1 listed ids name no cell" \
		"$W/c2.h5ad" "$I" "$W/expr.txt" -d "$W/cell_days.txt" --cells "$W/$f" -o "$W/c2.h5ad"
	check "--cells $f: the cells of the union" "assert list(a.obs_names) == ['cell00', 'cell01', 'cell30'], list(a.obs_names)" \
		"$W/c2.h5ad"
	run_expect "--cells $f#B: one set" 0 "kept 2 cells, dropped 38 not listed; 0 listed ids" "$W/c3.h5ad" "$I" \
		"$W/expr.txt" -d "$W/cell_days.txt" --cells "$W/$f#B" -o "$W/c3.h5ad"
	run_expect "--cells $f#nope" 2 "$f: no set named 'nope' \(sets: 'a', 'b'\)" "$W/c4.h5ad" "$I" "$W/expr.txt" \
		-d "$W/cell_days.txt" --cells "$W/$f#nope" -o "$W/c4.h5ad"
done

# --- FILE.h5ad#COL as a day table, FILE.h5ad as an --obs table ---
run_expect "-d cells.h5ad#day" 0 "40 cells matched" "$W/d1.h5ad" "$I" "$W/expr.csv" -d "$W/cells.h5ad#day" -o "$W/d1.h5ad"
check "-d cells.h5ad#day: the days" "assert list(a.obs.day) == [i // 20 for i in range(40)]" "$W/d1.h5ad"
run_expect "--obs FILE.h5ad#COL" 0 "obs columns covariate for 40" "$W/d2.h5ad" "$I" "$W/expr.csv" -d "$W/cell_days.txt" \
	--obs "$W/cells.h5ad#covariate" -o "$W/d2.h5ad"
run_expect "-d FILE.h5ad#missing" 2 "cells.h5ad: /obs/nope: no such column \(obs columns: day, cell_growth_rate, covariate\)" \
	"$W/d3.h5ad" "$I" "$W/expr.csv" -d "$W/cells.h5ad#nope" -o "$W/d3.h5ad"
run_expect "-d FILE.h5ad#COL not numbers" 2 "cells.h5ad#covariate: cell 'cell00': day 'batch0' is not a number" \
	"$W/d3.h5ad" "$I" "$W/expr.csv" -d "$W/cells.h5ad#covariate" -o "$W/d3.h5ad"

# --- bad --obs tables ---
run_expect "--obs missing file" 2 "nofile.txt.*No such file" "$W/o.h5ad" "$I" "$W/expr.txt" -d "$W/cell_days.txt" \
	--obs "$W/nofile.txt" -o "$W/o.h5ad"
printf 'id\tcell_growth_rate\nX1\t1\n' >"$W/nomatch.txt"
run_expect "--obs ids naming no cell" 2 "nomatch.txt: none of its 1 ids names a cell" "$W/o.h5ad" "$I" "$W/expr.txt" \
	-d "$W/cell_days.txt" --obs "$W/nomatch.txt" -o "$W/o.h5ad"
printf 'id\tcell_growth_rate\ncell00\t1\ncell00\t2\n' >"$W/dup.txt"
run_expect "--obs duplicate id" 2 "dup.txt.*cell00" "$W/o.h5ad" "$I" "$W/expr.txt" -d "$W/cell_days.txt" \
	--obs "$W/dup.txt" -o "$W/o.h5ad"
printf 'id\tcell_growth_rate\ncell00\t1\t3\n' >"$W/ragged.txt"
run_expect "--obs ragged table" 2 "ragged.txt.*line 2" "$W/o.h5ad" "$I" "$W/expr.txt" -d "$W/cell_days.txt" \
	--obs "$W/ragged.txt" -o "$W/o.h5ad"
run_expect "transport --growth-column absent" 2 "cell_growth" - "$T" --method uot --from 0 --to 1 \
	--growth-column cell_growth "$W/pca39.h5ad" -o "$W/x.h5"

# --- broken files of the old AnnData layouts ---
"$PYTHON3" - "$W" <<'PY' || not_ok "could not write the broken h5ad files"
import sys, h5py, numpy as np
w = sys.argv[1]
def old(name, obs, ncat=3, codes=None):
    with h5py.File(f"{w}/{name}", "w") as f:
        g = f.create_group("X")
        g.attrs["h5sparse_format"] = np.bytes_(b"csr")
        g.attrs["h5sparse_shape"] = np.array([3, 2])
        g.create_dataset("data", data=np.array([1.0, 2.0], dtype=np.float32))
        g.create_dataset("indices", data=np.array([0, 1], dtype=np.int32))
        g.create_dataset("indptr", data=np.array([0, 1, 2, 2], dtype=np.int32))
        f.create_dataset("obs", data=obs)
        var = np.zeros(2, dtype=[("index", "S2")])
        var["index"] = [b"g1", b"g2"]
        f.create_dataset("var", data=var)
obs = np.zeros(3, dtype=[("index", "S2"), ("day", "f8")])
obs["index"] = [b"c1", b"c2", b"c3"]
old("old_ok.h5ad", obs)
old("old_rows.h5ad", obs[:2])
bad = np.zeros(3, dtype=[("index", "f8"), ("day", "f8")])
old("old_index.h5ad", bad)
cplx = np.zeros(3, dtype=[("index", "S2"), ("z", "c16")])
cplx["index"] = [b"c1", b"c2", b"c3"]
old("old_field.h5ad", cplx)
with h5py.File(f"{w}/old_plain.h5ad", "w") as f:
    f.create_dataset("obs", data=np.arange(3.0))
    f.create_group("var")
PY
run_expect "old layout read" 0 "read 3 cells x 2 genes, 2 nonzero" "$W/old.h5ad" "$I" "$W/old_ok.h5ad" --day-key day -o "$W/old.h5ad"
run_expect "old layout: X rows differ from obs" 2 "old_rows.h5ad: /X: shape is 3 x 2, expected 2 x 2 \(obs x var\)" \
	"$W/old.h5ad" "$I" "$W/old_rows.h5ad" --day-key day -o "$W/old.h5ad"
run_expect "old layout: float index" 2 "old_index.h5ad: /obs: index field 'index' holds neither strings nor integers" \
	"$W/old.h5ad" "$I" "$W/old_index.h5ad" --day-key day -o "$W/old.h5ad"
run_expect "old layout: complex field" 2 "old_field.h5ad: /obs: field 'z' is neither numbers, bools nor strings" \
	"$W/old.h5ad" "$I" "$W/old_field.h5ad" --day-key day -o "$W/old.h5ad"
run_expect "obs a plain dataset" 2 "old_plain.h5ad: /obs: is a dataset but not a compound one" \
	"$W/old.h5ad" "$I" "$W/old_plain.h5ad" --day-key day -o "$W/old.h5ad"
finish
