# tests/cli/lodo_neural.sh -- leave-one-day-out on data/example for the neural descents: PCA fitted on days 2
# and 6, nsd, nusd and nusd-bd from day 2 to day 6 on a reduced budget (small critic, 100 steps), the MMD-split
# snapshot at day 4 scored beside uot.  What holds on this example (and is asserted): every neural descent beats
# the source, the target and the union baselines in normalised EMD.  They do not beat the independent coupling or
# uot here, and with --batchnorm their scaling factors do not correlate with the simulator's growth rates (printed,
# see reports/neural/lodo.md); nusd without --batchnorm does (Spearman >= 0.2 and lineage A's mean scaling the
# highest, asserted; reports/neural/growth.md).
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 500 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 30 --fit-days 2,6 -o "$WORK/pca.h5ad" ||
	{ not_ok "make the input"; finish; exit 1; }
critic="--width 32 --hidden 128 --last 32 --batchnorm --batch 150 --critic-steps 5 --critic-start 100 --lr 1e-3
	--rho 0.01 --lambda0 0 --step 0.02 --steps 100 --record 2"
opts_nsd=""
opts_nusd="--tau 0.05 --alpha 0.2"
opts_nusd_bd="--tau 0.05 --alpha 0.2"
for m in nsd nusd nusd-bd uot; do
	v=$(echo $m | tr - _)
	eval "o=\$opts_$v"
	[ $m = uot ] && c="" || c=$critic
	run_expect "$m 2 -> 6" 0 "" "$WORK/$m.h5" "$BIN/scuot-transport" --method $m $c $o --from 2 --to 6 \
		"$WORK/pca.h5ad" -o "$WORK/$m.h5"
	run_expect "$m at day 4" 0 "" "$WORK/$m.h5ad" "$BIN/scuot-interpolate" --at 4 -n 3000 "$WORK/$m.h5" \
		-o "$WORK/$m.h5ad"
done
run_expect "nusd --dropout out of range" 2 "--dropout" "$WORK/bad.h5" "$BIN/scuot-transport" --method nusd \
	--dropout 1.5 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
run_expect "nsd --tau (a parameter of nusd)" 2 "tau" "$WORK/bad.h5" "$BIN/scuot-transport" --method nsd \
	--tau 0.1 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
# the results: critic parameters, scaling factors, ancestors; Spearman with the simulator's growth rates
if "$PYTHON3" - "$WORK" "$EX/counts.h5ad" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np, anndata
from scipy.stats import spearmanr
w, obs = sys.argv[1], anndata.read_h5ad(sys.argv[2], backed="r").obs
for m in ("nsd", "nusd", "nusd-bd", "uot"):
    with h5py.File("%s/%s.h5" % (w, m), "r") as f:
        sc = f["marginals/scaling"][()]
        ids = [s.decode() if isinstance(s, bytes) else s for s in f["problem/source_ids"][()]]
        if m != "uot":
            assert "critic.1.weight" in f["model"] and f["model/critic.1.weight"].shape == (32, 128), list(f["model"])
            last = f["snapshots"][str(len(f["snapshots"]) - 1)]
            anc = last["ancestor"][()]
            assert anc.min() >= 0 and anc.max() < len(sc)
        if m == "nsd":
            assert np.allclose(sc, 1), "nsd changes no mass"
        if m == "nusd":
            assert abs(sc.mean() - 1) < 1e-9 and sc.std() > 0.01, (sc.mean(), sc.std())
        if m == "nusd-bd":
            assert sc.sum() == len(sc) and np.all(sc == np.round(sc)) and sc.max() >= 2, sc
            assert np.array_equal(np.bincount(anc, minlength=len(sc)), sc), "descendants = ancestors counted"
    r = spearmanr(sc, obs.loc[ids, "growth_rate"].values).correlation if sc.std() > 0 else float("nan")
    print("%s: Spearman of the scaling factors with growth_rate %.3f" % (m, r))
PY
then ok "results: critic parameters, masses, descendants ($(tr '\n' ';' <"$WORK/py.out"))"
else not_ok "results" "$(cat "$WORK/py.out")"; fi
run_expect "score day 4" 0 "" "$WORK/scores.tsv" "$BIN/scuot-score" --truth "$WORK/pca.h5ad" \
	--from 2 --at 4 --to 6 --metrics emd,mmd_rff "$WORK/nsd.h5ad" "$WORK/nusd.h5ad" "$WORK/nusd-bd.h5ad" \
	"$WORK/uot.h5ad" -o "$WORK/scores.tsv"
[ -n "${VERBOSE:-}" ] && column -t "$WORK/scores.tsv"
for m in nsd nusd nusd-bd; do
	beats_in_emd "$WORK/scores.tsv" $m source target union
done
# The growth signal needs the critic without --batchnorm (its statistics are those of each pass: the target and
# particle minibatches apart) or with --bn-joint, reports/neural/growth.md: with --batchnorm the Spearman above is
# near 0 at every seed; without it 0.25 to 0.38 over seeds 0 to 8, lineage A's mean scaling the highest.
run_expect "nusd 2 -> 6 without --batchnorm" 0 "" "$WORK/nusd_nobn.h5" "$BIN/scuot-transport" --method nusd \
	$(echo "$critic" | sed 's/--batchnorm//') $opts_nusd --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/nusd_nobn.h5"
if "$PYTHON3" - "$WORK/nusd_nobn.h5" "$EX/counts.h5ad" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np, anndata
from scipy.stats import spearmanr
obs = anndata.read_h5ad(sys.argv[2], backed="r").obs
with h5py.File(sys.argv[1], "r") as f:
    sc = f["marginals/scaling"][()]
    ids = [s.decode() if isinstance(s, bytes) else s for s in f["problem/source_ids"][()]]
lin = obs.loc[ids, "lineage"].to_numpy()
means = {k: round(float(sc[lin == k].mean()), 3) for k in ("progenitor", "A", "B")}
r = spearmanr(sc, obs.loc[ids, "growth_rate"].values).correlation
print("nusd without --batchnorm: Spearman with growth_rate %.3f (>= 0.2 expected), mean scaling per lineage %s"
      % (r, means))
assert r >= 0.2 and means["A"] > means["B"] and means["A"] > means["progenitor"], (r, means)
PY
then ok "$(tail -1 "$WORK/py.out")"
else not_ok "nusd without --batchnorm: growth signal" "$(cat "$WORK/py.out")"; fi
finish
