# tests/cli/swfr.sh -- the swfr method on data/example, leave one day out: PCA (10 components) fitted on days 2
# and 6, swfr from day 2 to day 6 on a reduced budget, the snapshot at t = 1/2 (day 4, an RK4 step) scored
# beside the source, target and union baselines and uot.  Asserted: the run, the saved potential and mixture,
# the snapshots at k / 8, scaling factors of weighted mean 1, and that swfr beats the source and the target
# baselines in normalised EMD; the other scores are printed (VERBOSE=1) and reported in reports/swfr/.
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 500 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 10 --fit-days 2,6 -o "$WORK/pca.h5ad" ||
	{ not_ok "make the input"; finish; exit 1; }
opts="--iters 80 --batch 150 --tbatch 150 --width 16 --gmm-max 4 --lr 0.02"
run_expect "swfr 2 -> 6" 0 "" "$WORK/swfr.h5" "$BIN/scuot-transport" --method swfr $opts --from 2 --to 6 \
	"$WORK/pca.h5ad" -o "$WORK/swfr.h5"
run_expect "uot 2 -> 6" 0 "" "$WORK/uot.h5" "$BIN/scuot-transport" --method uot --from 2 --to 6 \
	"$WORK/pca.h5ad" -o "$WORK/uot.h5"
for m in swfr uot; do
	[ $m = swfr ] && rule="--rule snapshot" || rule=""
	run_expect "$m at day 4" 0 "" "$WORK/$m.h5ad" "$BIN/scuot-interpolate" --at 4 $rule -n 3000 "$WORK/$m.h5" \
		-o "$WORK/$m.h5ad"
done
run_expect "swfr --alpha out of range" 2 "alpha" "$WORK/bad.h5" "$BIN/scuot-transport" --method swfr \
	--alpha 0 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
run_expect "swfr --rk-steps 0" 2 "rk-steps" "$WORK/bad.h5" "$BIN/scuot-transport" --method swfr \
	--rk-steps 0 --from 2 --to 6 "$WORK/pca.h5ad" -o "$WORK/bad.h5"
if "$PYTHON3" - "$WORK" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
w = sys.argv[1]
with h5py.File("%s/swfr.h5" % w, "r") as f:
    sc, a = f["marginals/scaling"][()], f["problem/a"][()]
    mod = f["model"]
    assert mod["phi.K0"].shape == (16, 11) and mod["phi.K1"].shape == (16, 16), mod["phi.K0"].shape
    assert mod["phi.A"].shape == (10, 11) and "gmm.mu" in mod and "whiten.scale" in mod, list(mod)
    snaps = f["snapshots"]
    assert len(snaps) == 9, len(snaps)
    s = sorted(float(snaps[k].attrs["s"]) if "s" in snaps[k].attrs else float(snaps[k]["s"][()])
               for k in snaps)
    assert np.allclose(s, np.arange(9) / 8), s
    wm = np.sum(a * sc) / np.sum(a)
    assert abs(wm - 1) < 1e-6 and sc.std() > 1e-4, (wm, sc.std())
    print("scaling factors: weighted mean %.6f, sd %.4f, range %.3f-%.3f; %d mixture components"
          % (wm, sc.std(), sc.min(), sc.max(), mod["gmm.pi"].shape[1]))
PY
then ok "results: potential, mixture, 9 snapshots, scaling factors ($(tr '\n' ';' <"$WORK/py.out"))"
else not_ok "results" "$(cat "$WORK/py.out")"; fi
run_expect "score day 4" 0 "" "$WORK/scores.tsv" "$BIN/scuot-score" --truth "$WORK/pca.h5ad" \
	--from 2 --at 4 --to 6 --metrics emd,mmd_rff "$WORK/swfr.h5ad" "$WORK/uot.h5ad" -o "$WORK/scores.tsv"
[ -n "${VERBOSE:-}" ] && column -t "$WORK/scores.tsv"
beats_in_emd "$WORK/scores.tsv" swfr source target
finish
