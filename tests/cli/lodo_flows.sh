# tests/cli/lodo_flows.sh -- leave-one-day-out on data/example for the particle flows: PCA fitted on days 2
# and 6, ksd, kusd and ift from day 2 to day 6, the MMD-split snapshot at day 4 scored beside uot and wfr.
# What holds on this example (and is asserted): every flow beats the source and the target baselines in
# normalised EMD.  They do not beat the union, the independent coupling, uot or wfr here.
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 500 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 30 --fit-days 2,6 -o "$WORK/pca.h5ad" ||
	{ not_ok "make the input"; finish; exit 1; }
opts_ksd="--steps 200 --record 2"
opts_kusd="--steps 200 --record 2"
opts_ift="--steps 60 --record 1 --tau 200"
opts_uot=""
opts_wfr=""
for m in ksd kusd ift uot wfr; do
	eval "o=\$opts_$m"
	run_expect "$m 2 -> 6" 0 "" "$WORK/$m.h5" "$BIN/scuot-transport" --method $m $o --from 2 --to 6 \
		"$WORK/pca.h5ad" -o "$WORK/$m.h5"
	run_expect "$m at day 4" 0 "" "$WORK/$m.h5ad" "$BIN/scuot-interpolate" --at 4 -n 3000 "$WORK/$m.h5" \
		-o "$WORK/$m.h5ad"
done
# the rule by name, a bad rule, and the curves of a flow result (MMD to target and to source per snapshot)
run_expect "ksd --rule mmd-split" 0 "" "$WORK/ksd_split.h5ad" "$BIN/scuot-interpolate" --at 4 -n 3000 \
	--rule mmd-split "$WORK/ksd.h5" -o "$WORK/ksd_split.h5ad"
run_expect "bad --rule" 2 "--rule: 'mmd' is not auto, linear, wfr, snapshot, mmd-split or map" "$WORK/bad.h5ad" \
	"$BIN/scuot-interpolate" --at 4 --rule mmd "$WORK/ksd.h5" -o "$WORK/bad.h5ad"
if "$PYTHON3" - "$WORK/ksd.h5" "$WORK/ksd.h5ad" "$WORK/ksd_split.h5ad" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    g = f["diagnostics"]
    c, c2 = g["curve"][()], g["curve2"][()]
    assert g["curve2"].attrs["name"] in (b"mmd to source", "mmd to source"), g["curve2"].attrs["name"]
    assert c.shape == c2.shape and c.size == 101, (c.shape, c2.shape)
    assert c2[0] < 1e-6 and c2[-1] > 0.5 * c[0] and c[-1] < 0.5 * c[0], (c[0], c[-1], c2[0], c2[-1])
with h5py.File(sys.argv[2], "r") as a, h5py.File(sys.argv[3], "r") as b:
    x, y = a["obsm/X_pca"][()], b["obsm/X_pca"][()]
    assert np.array_equal(x, y), "auto and mmd-split differ"
print("ok")
PY
then ok "ksd: curve and curve2 (MMD to target, to source) stored; auto = mmd-split"
else not_ok "ksd curves and rule" "$(cat "$WORK/py.out")"; fi
run_expect "score day 4" 0 "" "$WORK/scores.tsv" "$BIN/scuot-score" --truth "$WORK/pca.h5ad" \
	--from 2 --at 4 --to 6 \
	--metrics emd,mmd_rff "$WORK/ksd.h5ad" "$WORK/kusd.h5ad" "$WORK/ift.h5ad" "$WORK/uot.h5ad" "$WORK/wfr.h5ad" \
	-o "$WORK/scores.tsv"
[ -n "${VERBOSE:-}" ] && column -t "$WORK/scores.tsv"
for m in ksd kusd ift; do
	beats_in_emd "$WORK/scores.tsv" $m source target
done
finish
