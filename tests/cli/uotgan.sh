# tests/cli/uotgan.sh -- the neural methods on data/example: PCA fitted on days 2 and 6, uotgan and uot-dual from
# day 2 to day 6, the map rule at day 4 scored against held-out day 4 beside the source and target baselines, the
# trained tensors under /model, and the issue's growth check: the scaling factors against the simulator's
# growth_rate of the day-2 cells (Spearman), beside what the uot method gets.
# What holds and is asserted: uotgan's map at day 4 beats the source and target baselines in normalised EMD; its
# mean scaling factor is highest on lineage A (the faster-growing lineage); Spearman with growth_rate >= 0.3.
# The issue's target Spearman >= 0.6 is NOT reached robustly, and the two marginals do not hold what it needs
# (reports/neural/growth-notes.md): 0.28 to 0.61 for uotgan with --gp-xi 0.1 over seeds 0 to 8 (mean 0.41), 0.37 for
# uot; a method that got the lineage-level growth exactly right and nothing within a lineage would reach 0.49,
# and within a lineage the growth follows the proliferation program, whose distribution is the same on days 2
# and 6.  The values are printed.
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 500 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 30 --fit-days 2,6 -o "$WORK/pca.h5ad" ||
	{ not_ok "make the input"; finish; exit 1; }
run_expect "uotgan 2 -> 6" 0 "" "$WORK/uotgan.h5" "$BIN/scuot-transport" --method uotgan --gp-xi 0.1 \
	--from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/uotgan.h5"
run_expect "uot 2 -> 6" 0 "" "$WORK/uot.h5" "$BIN/scuot-transport" --method uot --from 2 --to 6 \
	"$WORK/pca.h5ad" -o "$WORK/uot.h5"
run_expect "uot-dual 2 -> 6" 0 "" "$WORK/dual.h5" "$BIN/scuot-transport" --method uot-dual --iters 400 \
	--map-iters 200 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/dual.h5"
run_expect "uotgan at day 4" 0 "rule map" "$WORK/uotgan.h5ad" "$BIN/scuot-interpolate" --at 4 -n 3000 \
	"$WORK/uotgan.h5" -o "$WORK/uotgan.h5ad"
run_expect "uot-dual at day 4 (auto: linear)" 0 "rule linear" "$WORK/dual.h5ad" "$BIN/scuot-interpolate" --at 4 \
	-n 3000 "$WORK/dual.h5" -o "$WORK/dual.h5ad"
run_expect "uot-dual at day 4 (map)" 0 "rule map" "$WORK/dual_map.h5ad" "$BIN/scuot-interpolate" --at 4 \
	--rule map -n 3000 "$WORK/dual.h5" -o "$WORK/dual_map.h5ad"
run_expect "uotgan --gp-f out of range" 2 "--gp-f -1 is out of range" "$WORK/bad.h5" "$BIN/scuot-transport" \
	--method uotgan --gp-f -1 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
run_expect "uotgan --divergence 4" 2 "--divergence 4 is out of range" "$WORK/bad.h5" "$BIN/scuot-transport" \
	--method uotgan --divergence 4 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
run_expect "uotgan with the euclidean cost" 2 "only the squared Euclidean cost" "$WORK/bad.h5" \
	"$BIN/scuot-transport" --method uotgan --cost euclidean --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
if "$PYTHON3" - "$WORK/uotgan.h5" "$WORK/uot.h5" "$WORK/dual.h5" "$EX/counts.h5ad" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np, anndata
from scipy.stats import spearmanr
obs = anndata.read_h5ad(sys.argv[4], backed="r").obs
def load(p):
    with h5py.File(p, "r") as f:
        ids = [x.decode() if isinstance(x, bytes) else x for x in f["problem/source_ids"][()]]
        return f["marginals/scaling"][()], ids, {k: f["model"][k].shape for k in f["model"]} if "model" in f else {}
s, ids, model = load(sys.argv[1])
for k in ("T.0.weight", "T.out.weight", "xi.out.bias", "f.2.weight", "standardise.centre", "standardise.sigma"):
    assert k in model, ("missing /model/" + k, sorted(model))
assert model["T.0.weight"] == (32, 64), model["T.0.weight"]
g = obs.loc[ids, "growth_rate"].to_numpy()
lin = obs.loc[ids, "lineage"].to_numpy()
rho = spearmanr(s, g).correlation
su, idu, _ = load(sys.argv[2])
rho_u = spearmanr(su, obs.loc[idu, "growth_rate"].to_numpy()).correlation
sd, idd, md = load(sys.argv[3])
assert "u.out.weight" in md and "T.out.weight" in md, sorted(md)
rho_d = spearmanr(sd, obs.loc[idd, "growth_rate"].to_numpy()).correlation
means = {l: float(s[lin == l].mean()) for l in np.unique(lin)}
print("Spearman(scaling, growth_rate) at day 2: uotgan %.3f, uot %.3f, uot-dual (short run) %.3f; "
      "uotgan mean scaling per lineage %s" % (rho, rho_u, rho_d, {k: round(v, 3) for k, v in means.items()}))
assert means["A"] > means["B"] and means["A"] > means["progenitor"], means
assert rho >= 0.3, rho
PY
then ok "$(tail -1 "$WORK/py.out")"
else not_ok "uotgan model, scaling factors and growth" "$(cat "$WORK/py.out")"; fi
run_expect "score day 4" 0 "" "$WORK/scores.tsv" "$BIN/scuot-score" --truth "$WORK/pca.h5ad" \
	--from 2 --at 4 --to 6 --metrics emd,mmd_rff "$WORK/uotgan.h5ad" "$WORK/dual.h5ad" "$WORK/dual_map.h5ad" \
	-o "$WORK/scores.tsv"
[ -n "${VERBOSE:-}" ] && column -t "$WORK/scores.tsv"
beats_in_emd "$WORK/scores.tsv" uotgan source target
finish
