# tests/cli/score.sh -- scuot-score on the example data (ingest, normalize, pca): identities that must
# hold (a prediction equal to the held-out day scores ~0; MMD and W1 of the union are at most the mean
# of the source and target distances; the triangle inequality; with the held-out day equal to the
# target, the source scores exactly 1 and the union exactly 1/2 in MMD and W1), determinism, options,
# and every bad input of the issue (exit 2, message, no output left).
. "${top_srcdir:-.}/tests/cli/lib.sh"
S=$BIN/scuot-score
O=$WORK/scores.tsv
"$BIN/scuot-ingest" -q "$top_srcdir/data/example/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 500 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 30 -o "$WORK/pca.h5ad" || { not_ok "make pca.h5ad from data/example"; finish; exit 1; }
if ! "$PYTHON3" "$top_srcdir/tests/cli/score_input.py" "$WORK/pca.h5ad" "$WORK" 2>"$WORK/py.err"; then
	echo "SKIP: $PYTHON3 with anndata could not write the inputs: $(tail -1 "$WORK/py.err")"
	exit 77
fi
T="--truth $WORK/pca.h5ad --from 2 --at 4 --to 6"

# --- usage ---
run_expect "help" 0 "" - "$S" --help
grep -q '^Usage: scuot-score' "$WORK/stdout" && grep -q -- '--rff-features N .*\[300\]' "$WORK/stdout" &&
	grep -q -- '--emd-max-cells N' "$WORK/stdout" && grep -q 'W2' "$WORK/stdout" && ok "help with defaults" ||
	not_ok "help with defaults"
run_expect "dispatcher" 0 "" - "$BIN/scuot" help score
grep -q '^Usage: scuot-score' "$WORK/stdout" && ok "scuot help score" || not_ok "scuot help score"
run_expect "version" 0 "" - "$S" --version
run_expect "no output" 2 "no output file" - "$S" $T "$WORK/self.h5ad"
run_expect "no truth" 2 "no truth file" - "$S" --from 2 --at 4 --to 6 "$WORK/self.h5ad" -o "$O"
run_expect "bad metric" 2 "--metrics: 'mmd3' is not one of" "$O" "$S" $T --metrics mmd,mmd3 "$WORK/self.h5ad" -o "$O"
run_expect "too many names" 2 "2 --name labels for 1 prediction files" "$O" "$S" $T --name a --name b "$WORK/self.h5ad" -o "$O"

# --- good runs ---
run_expect "score three predictions" 0 "300 held-out cells of day 4, 300 source cells" "$O" \
	"$S" $T "$WORK/self.h5ad" "$WORK/weighted.h5ad" "$WORK/noname.h5ad" -o "$O" --json "$WORK/s.json"
cp "$WORK/stderr" "$WORK/run1.err"
"$PYTHON3" - "$O" "$WORK/s.json" >"$WORK/py.out" 2>&1 <<'PY'
import sys, json, math
import numpy as np
import pandas as pd
t = pd.read_csv(sys.argv[1], sep="\t", keep_default_na=False, na_values=["NA"])
assert list(t.columns) == ["prediction", "kind", "metric", "value", "sd", "normalised", "n_pred", "n_truth"], list(t.columns)
names = ["self", "weighted", "noname.h5ad", "source", "target", "union", "independent"]
metrics = ["mmd_rff", "mmd", "emd", "emd2"]
assert list(t.prediction) == [n for n in names for _ in metrics], list(t.prediction)
assert list(t.metric) == metrics * len(names)
assert list(t.kind) == ["method"] * 12 + ["baseline"] * 16
assert (t.n_truth == 300).all()
n = dict(zip(t.prediction, t.n_pred))
assert n == {"self": 300, "weighted": 600, "noname.h5ad": 150, "source": 300, "target": 300, "union": 600, "independent": 500}, n
v = {(r.prediction, r.metric): r for r in t.itertuples()}
for m in metrics:
    # the held-out day itself, and its cells with masses redistributed over duplicates: distance ~0
    for p in ("self", "weighted"):
        assert v[p, m].normalised < 1e-6, (p, m, v[p, m].normalised)
    s, g, u = (v[b, m].normalised for b in ("source", "target", "union"))
    # triangle inequality: D(s,a) + D(a,t) >= D(s,t)
    assert s + g >= 1 - 1e-9, (m, s, g)
    # joint convexity: MMD and W1 of the 50/50 mixture are at most the mean; W2 squared likewise
    if m == "emd2":
        assert u <= math.sqrt((s * s + g * g) / 2) + 1e-9, (m, s, g, u)
    else:
        assert u <= (s + g) / 2 + 1e-9, (m, s, g, u)
    assert 0 < s < 1 and 0 < g < 1, (m, s, g)
    assert abs(v["source", m].value / v["source", m].normalised - v["target", m].value / v["target", m].normalised) < 1e-9 * v["source", m].value / v["source", m].normalised
assert v["self", "mmd_rff"].sd == 0 and v["source", "mmd_rff"].sd > 0
assert np.isnan(v["self", "mmd"].sd)
j = json.load(open(sys.argv[2]))
assert j["truth"]["n_truth"] == 300 and j["truth"]["dimensions"] == 30
assert abs(j["options"]["bandwidth"] - math.sqrt(30)) < 1e-8 and j["options"]["baseline_pairs"] == 500
for m in metrics:
    assert j["metrics"][m]["best"] in ("self", "weighted"), j["metrics"][m]["best"]
    assert abs(j["metrics"][m]["values"]["union"] - v["union", m].value) <= 1e-9 * v["union", m].value
    assert abs(j["metrics"][m]["source_target"] * v["source", m].normalised - v["source", m].value) < 1e-6 * v["source", m].value
print("ok")
PY
[ $? = 0 ] && ok "self ~0, union between, triangle inequality, TSV and JSON" || not_ok "scores checked" "$(cat "$WORK/py.out")"

run_expect "held-out day equal to the target" 0 "" "$O.e" "$S" --truth "$WORK/at_is_target.h5ad" --from 2 --at 4 --to 6 -o "$O.e"
"$PYTHON3" - "$O.e" >"$WORK/py.out" 2>&1 <<'PY'
import sys, math
import pandas as pd
t = pd.read_csv(sys.argv[1], sep="\t", keep_default_na=False, na_values=["NA"])
v = {(r.prediction, r.metric): r.normalised for r in t.itertuples()}
for m in ("mmd_rff", "mmd", "emd", "emd2"):
    assert abs(v["source", m] - 1) < 1e-12, (m, v["source", m])   # the same distance, computed the same way
    assert v["target", m] < 1e-6, (m, v["target", m])
# MMD is a norm of mean embeddings: MMD(p/2 + q/2, q) = MMD(p, q) / 2; W1 of half the mass moved: 1/2
for m in ("mmd_rff", "mmd"):
    assert abs(v["union", m] - 0.5) < 1e-9, (m, v["union", m])
assert abs(v["union", "emd"] - 0.5) < 1e-6, v["union", "emd"]
assert v["union", "emd2"] <= math.sqrt(0.5) + 1e-9, v["union", "emd2"]
print("ok")
PY
[ $? = 0 ] && ok "held-out = target: source 1, union 1/2" || not_ok "held-out = target" "$(cat "$WORK/py.out")"

for t in 1 4; do
	run_expect "threads $t" 0 "" "$O.t$t" "$S" $T --threads $t "$WORK/weighted.h5ad" -o "$O.t$t"
done
# the MMDs are bitwise the same; the EMDs within rounding (the OT cost matrix uses threaded BLAS)
[ "$(grep mmd "$O.t1")" = "$(grep mmd "$O.t4")" ] && ok "--threads 1 and 4: identical MMDs" ||
	not_ok "--threads 1 and 4: identical MMDs" "$(diff "$O.t1" "$O.t4")"
paste "$O.t1" "$O.t4" | awk -F'\t' 'NR > 1 { d = $6 - $14; if (d < 0) d = -d; if (d > 1e-9) bad = 1 } END { exit bad }' &&
	ok "--threads 1 and 4: normalised EMDs within 1e-9" || not_ok "--threads 1 and 4: EMDs" "$(diff "$O.t1" "$O.t4")"
run_expect "another seed" 0 "" "$O.s" "$S" $T --seed 9 "$WORK/weighted.h5ad" -o "$O.s"
[ "$(grep -v mmd_rff "$O.s" | grep -v independent)" = "$(grep -v mmd_rff "$O.t1" | grep -v independent)" ] &&
	[ "$(grep 'source.*mmd_rff' "$O.s")" != "$(grep 'source.*mmd_rff' "$O.t1")" ] &&
	ok "the seed moves the feature draws and the independent pairs only" || not_ok "seed" "$(diff "$O.s" "$O.t1")"
run_expect "names and one metric" 0 "" "$O.n" "$S" $T --metrics mmd --name A --name B "$WORK/self.h5ad" "$WORK/noname.h5ad" -o "$O.n"
[ "$(cut -f1,3 "$O.n" | tr '\t\n' ':,')" = "prediction:metric,A:mmd,B:mmd,source:mmd,target:mmd,union:mmd,independent:mmd," ] &&
	ok "--name in order, --metrics mmd" || not_ok "--name, --metrics" "$(cat "$O.n")"
run_expect "EMD subsample" 0 "EMD: truth has 300 cells, more than --emd-max-cells 100: weighted subsample of 100 draws" \
	"$O.c" "$S" $T --metrics emd --emd-max-cells 100 --baseline-pairs 50 "$WORK/self.h5ad" -o "$O.c"
grep -q "independent	baseline	emd	.*	50	300$" "$O.c" && ok "--baseline-pairs 50" || not_ok "--baseline-pairs" "$(cat "$O.c")"
run_expect "scale: X_pca already scaled" 2 "already holds principal-component scores .* Drop the option" "$O.b" \
	"$S" $T --scale-singular-values "$WORK/self.h5ad" -o "$O.b"
# unit-norm coordinates times the singular values are X_pca again: the same EMD as X_pca unscaled
run_expect "scale: unit-norm coordinates" 0 "multiplied by /uns/pca/singular_values" "$O.u" \
	"$S" --truth "$WORK/unit.h5ad" --embedding X_unit --from 2 --at 4 --to 6 --metrics emd,emd2 --scale-singular-values -o "$O.u"
run_expect "unscaled X_pca" 0 "" "$O.p" "$S" $T --metrics emd,emd2 -o "$O.p"
paste "$O.u" "$O.p" | awk -F'\t' 'NR > 1 { d = $4 - $12; if (d < 0) d = -d; if (d > 1e-6 * $12) bad = 1 } END { exit bad }' &&
	ok "scaled unit-norm coordinates = X_pca scores in EMD" || not_ok "scaled unit coordinates" "$(paste "$O.u" "$O.p")"

# --- bad inputs: exit 2, the file and the problem named, no output ---
run_expect "day not present" 2 "pca.h5ad: --at: day 5 has no cells \(days present: 0, 2, 4, 6, 8\)" "$O.b" \
	"$S" --truth "$WORK/pca.h5ad" --from 2 --at 5 --to 6 "$WORK/self.h5ad" -o "$O.b"
run_expect "from not present" 2 "--from: day 1 has no cells" "$O.b" "$S" --truth "$WORK/pca.h5ad" --from 1 --at 4 --to 6 -o "$O.b"
run_expect "at not between" 2 "--at 7 is not strictly between --from 2 and --to 6" "$O.b" \
	"$S" --truth "$WORK/pca.h5ad" --from 2 --at 7 --to 6 "$WORK/self.h5ad" -o "$O.b"
run_expect "at equal to from" 2 "--at 2 is not strictly between" "$O.b" "$S" --truth "$WORK/pca.h5ad" --from 2 --at 2 --to 6 -o "$O.b"
run_expect "empty day" 2 "catday.h5ad: --at: day 5 is a category of /obs/day but has no cells \(days with cells: 0, 2, 4, 6, 8\); choose another day" "$O.b" \
	"$S" --truth "$WORK/catday.h5ad" --from 4 --at 5 --to 6 -o "$O.b"
run_expect "embedding missing in truth" 2 "pca.h5ad: /obsm/X_umap: no such embedding \(obsm holds: .*X_pca\)" "$O.b" \
	"$S" $T --embedding X_umap -o "$O.b"
run_expect "embedding missing in prediction" 2 "other_key.h5ad: /obsm/X_pca: no such embedding \(obsm holds: X_umap\)" "$O.b" \
	"$S" $T "$WORK/other_key.h5ad" -o "$O.b"
run_expect "day column missing" 2 "/obs/time: no such column" "$O.b" "$S" $T --day-key time -o "$O.b"
run_expect "dimensions differ" 2 "dims10.h5ad: /obsm/X_pca is 300 x 10 but .*pca.h5ad: /obsm/X_pca has 30 dimensions" "$O.b" \
	"$S" $T "$WORK/self.h5ad" "$WORK/dims10.h5ad" -o "$O.b"
run_expect "negative weight" 2 "negative.h5ad: /obs/weight: cell 7 \('c7'\) has weight -1" "$O.b" "$S" $T "$WORK/negative.h5ad" -o "$O.b"
run_expect "NaN weight" 2 "nan_weight.h5ad: /obs/weight: cell 3 \('c3'\) has weight nan" "$O.b" "$S" $T "$WORK/nan_weight.h5ad" -o "$O.b"
run_expect "zero total weight" 2 "zero_weight.h5ad: /obs/weight: the 300 weights sum to 0; the prediction has no mass" "$O.b" \
	"$S" $T "$WORK/zero_weight.h5ad" -o "$O.b"
run_expect "times disagree" 2 "other_time.h5ad: /uns/scuot_interpolate/at is 5 but --at is 4" "$O.b" \
	"$S" $T "$WORK/other_time.h5ad" -o "$O.b"
run_expect "NaN coordinate" 2 "nan_truth.h5ad: /obsm/X_pca: cell [0-9]+, coordinate 1 is nan" "$O.b" \
	"$S" --truth "$WORK/nan_truth.h5ad" --from 2 --at 4 --to 6 -o "$O.b"
run_expect "unreadable prediction" 2 "not_h5ad.h5ad" "$O.b" "$S" $T "$WORK/not_h5ad.h5ad" -o "$O.b"
run_expect "missing truth" 2 "nothere.h5ad" "$O.b" "$S" --truth "$WORK/nothere.h5ad" --from 2 --at 4 --to 6 -o "$O.b"
rm -f "$O.b.json"
run_expect "no JSON after a failure" 2 "" "$O.b.json" "$S" $T "$WORK/negative.h5ad" -o "$O.b" --json "$O.b.json"
[ ! -e "$O.b" ] && ok "no TSV after a failure" || not_ok "TSV left after a failure"

# --- Waddington-OT's validation table and the growth baseline ---
run_expect "wot table with growth" 0 "" "$WORK/wot.txt" "$S" $T --metrics emd,mmd_rff --growth-column expected_descendants \
	"$WORK/self.h5ad" -o "$WORK/g.tsv" --wot-table "$WORK/wot.txt"
"$PYTHON3" - "$WORK/wot.txt" "$WORK/g.tsv" "$WORK/pca.h5ad" >"$WORK/py.out" 2>&1 <<'PY'
import sys
import numpy as np, pandas as pd, anndata, ot
w = pd.read_csv(sys.argv[1], sep="\t")
assert list(w.columns[:10]) == ["interval_start", "interval_mid", "interval_end", "t0", "t1", "cv0", "cv1", "name",
                                "distance", "full"], list(w.columns)
assert sorted(w["name"]) == ["F", "I", "L", "R", "Rg"], list(w["name"])
assert (w["interval_start"] == 2).all() and (w["interval_mid"] == 4).all() and (w["interval_end"] == 6).all()
assert dict(zip(w["name"], w["t0"])) == {"F": 2, "L": 6, "R": 4, "Rg": 4, "I": 4}
g = pd.read_csv(sys.argv[2], sep="\t")
assert "independent_growth" in set(g["prediction"])
# distance of F (first) is wot's earth_mover_distance: sqrt(emd2) on the squared Euclidean cost
a = anndata.read_h5ad(sys.argv[3]); X = a.obsm["X_pca"]; day = a.obs["day"].values
x0, x5 = X[day == 2], X[day == 4]
M = ot.dist(x0, x5, metric="sqeuclidean")
want = np.sqrt(ot.emd2(np.ones(len(x0)) / len(x0), np.ones(len(x5)) / len(x5), M, numItermax=10**7))
got = float(w.loc[w["name"] == "F", "distance"].iloc[0])
assert abs(got - want) < 1e-6 * want, (got, want)
print("ok")
PY
[ $? = 0 ] && ok "wot table: names, intervals, distance = wot's earth_mover_distance" || not_ok "wot table" "$(cat "$WORK/py.out")"
run_expect "bad growth column" 2 "/obs/nope: no such column \(--growth-column\)" "$WORK/wot2.txt" \
	"$S" $T --growth-column nope "$WORK/self.h5ad" -o "$WORK/g2.tsv" --wot-table "$WORK/wot2.txt"
[ ! -e "$WORK/g2.tsv" ] && ok "bad growth column: no scores left" || not_ok "bad growth column left scores"
finish
