# tests/cli/transport.sh -- scuot-transport and scuot-interpolate on a small simulated course: every method
# of the table, the result schema read back by h5py, the memory budget (sparsified coupling), interpolation
# rules and determinism, and the bad inputs of the transport issue.
. "${top_srcdir:-.}/tests/cli/lib.sh"
T=$BIN/scuot-transport
I=$BIN/scuot-interpolate
O=$WORK/out
"$BIN/scuot-simulate" -q --seed 2 --days 0,1,2 --cells 80 --genes 150 -o "$WORK/sim" &&
	"$BIN/scuot-ingest" -q "$WORK/sim/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 60 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 6 -o "$WORK/pca.h5ad" || { not_ok "make the input"; finish; exit 1; }
PCA=$WORK/pca.h5ad

# --- usage ---
run_expect "help" 0 "" - "$T" --help
for m in emd sinkhorn uot wfr; do
	grep -q "^Method $m " "$WORK/stdout" && ok "help describes $m" || not_ok "help describes $m"
done
grep -q -- '--epsilon X .*\[0.05\]' "$WORK/stdout" && grep -q -- '--max-memory SIZE' "$WORK/stdout" &&
	ok "help shows parameters with defaults" || not_ok "help shows parameters with defaults"
run_expect "list methods" 0 "" - "$T" --list-methods
[ "$(cut -f1 "$WORK/stdout" | tr '\n' ' ')" = "emd sinkhorn uot wfr ksd kusd ift mmdflow wfrflow nsd nusd nusd-bd uotgan uot-dual swfr " ] && ok "method list" ||
	not_ok "method list" "$(cat "$WORK/stdout")"
run_expect "no method" 2 "no method given" "$O.h5" "$T" --from 0 --to 1 "$PCA" -o "$O.h5"
run_expect "unknown method" 2 "--method: no method 'gan'" "$O.h5" "$T" --method gan --from 0 --to 1 "$PCA" -o "$O.h5"
run_expect "same day" 2 "--from and --to are the same day" "$O.h5" "$T" --method uot --from 1 --to 1 "$PCA" -o "$O.h5"
run_expect "parameter of another method" 2 "--delta is not a parameter of method uot" "$O.h5" \
	"$T" --method uot --delta 2 --from 0 --to 1 "$PCA" -o "$O.h5"
run_expect "parameter out of range" 2 "--epsilon -1 is out of range" "$O.h5" \
	"$T" --method uot --epsilon -1 --from 0 --to 1 "$PCA" -o "$O.h5"
run_expect "bad max memory" 2 "--max-memory: 'lots' is not a size" "$O.h5" \
	"$T" --method uot --max-memory lots --from 0 --to 1 "$PCA" -o "$O.h5"

# --- bad inputs ---
run_expect "day not present" 2 "pca.h5ad: --to: day 7 has no cells \(days present: 0, 1, 2\)" "$O.h5" \
	"$T" --method uot --from 0 --to 7 "$PCA" -o "$O.h5"
run_expect "no embedding" 2 "pca.h5ad: /obsm/X_umap: no such embedding" "$O.h5" \
	"$T" --method uot --embedding X_umap --from 0 --to 1 "$PCA" -o "$O.h5"
run_expect "no day column" 2 "/obs/stage: no such column" "$O.h5" \
	"$T" --method uot --day-key stage --from 0 --to 1 "$PCA" -o "$O.h5"
run_expect "not an h5ad" 2 "transport.sh" "$O.h5" "$T" --method uot --from 0 --to 1 "$0" -o "$O.h5"
run_expect "bad growth column" 2 "/obs/nope: no such column \(--growth-column\)" "$O.h5" \
	"$T" --method uot --growth-column nope --from 0 --to 1 "$PCA" -o "$O.h5"

# --- every method, read back ---
for m in emd sinkhorn uot wfr; do
	run_expect "$m 0 -> 2" 0 "" "$O.$m.h5" "$T" --method $m --from 0 --to 2 "$PCA" -o "$O.$m.h5"
done
run_expect "uot with a tiny epsilon" 0 "" "$O.tiny.h5" "$T" --method uot --epsilon 1e-4 --from 0 --to 2 "$PCA" -o "$O.tiny.h5"
run_expect "uot within 16K of memory" 0 "does not fit" "$O.small.h5" \
	"$T" --method uot --max-memory 16K --topk 5 --from 0 --to 2 "$PCA" -o "$O.small.h5"
"$PYTHON3" - "$O" >"$WORK/py.out" 2>&1 <<'PY'
import sys, h5py, numpy as np
o = sys.argv[1]
for m in ["emd", "sinkhorn", "uot", "wfr", "tiny"]:
    f = h5py.File(f"{o}.{m}.h5", "r")
    assert f.attrs["format"] == "scuot-transport-result" and f.attrs["format_version"] == 1
    assert f.attrs["method"] == ("uot" if m == "tiny" else m), f.attrs["method"]
    n, m_ = f["problem/x"].shape[0], f["problem/y"].shape[0]
    a, b = f["problem/a"][:], f["problem/b"][:]
    rs, cs, sc = f["marginals/row_sum"][:], f["marginals/col_sum"][:], f["marginals/scaling"][:]
    assert np.all(np.isfinite(rs)) and np.all(np.isfinite(cs)) and np.all(np.isfinite(sc)), m
    assert np.allclose(sc, rs / a), m
    kind = f["coupling"].attrs["kind"]
    if kind == "dense":
        P = f["coupling/dense"][:]
    else:
        P = np.zeros((n, m_))
        ip, ix, dv = f["coupling/indptr"][:], f["coupling/indices"][:], f["coupling/data"][:]
        for i in range(n):
            P[i, ix[ip[i]:ip[i + 1]]] = dv[ip[i]:ip[i + 1]]
    assert np.all(np.isfinite(P)) and P.min() >= 0, m
    assert np.allclose(P.sum(1), rs, rtol=1e-9, atol=1e-15), m
    if m in ("emd", "sinkhorn"):  # balanced: marginals a and b (relative L1 error below the tolerance 1e-6)
        assert abs(rs - a).sum() < 1e-5 * a.sum() and abs(cs - b).sum() < 1e-5 * b.sum(), m
    if m == "emd":
        assert kind == "sparse" and f["coupling/topk"][()] == 0 and len(dv) <= n + m_ - 1
f = h5py.File(f"{o}.small.h5", "r")
assert f["coupling"].attrs["kind"] == "sparse" and f["coupling/topk"][()] == 5
assert 0 < f["coupling/kept_mass"][()] <= 1 and "dual" in f
print("ok")
PY
[ $? = 0 ] && ok "results read back by h5py: schema, marginals, scaling factors" || not_ok "results read back" "$(cat "$WORK/py.out")"

# --- interpolation ---
run_expect "interpolate uot" 0 "rule linear" "$O.i1.h5ad" "$I" --at 1 "$O.uot.h5" -o "$O.i1.h5ad"
run_expect "interpolate again" 0 "" "$O.i2.h5ad" "$I" --at 1 "$O.uot.h5" -o "$O.i2.h5ad"
run_expect "interpolate wfr" 0 "rule wfr" "$O.iw.h5ad" "$I" --at 1 -n 500 "$O.wfr.h5" -o "$O.iw.h5ad"
run_expect "interpolate the top-k coupling" 0 "" "$O.is.h5ad" "$I" --at 1 "$O.small.h5" -o "$O.is.h5ad"
run_expect "interpolate emd" 0 "" "$O.ie.h5ad" "$I" --at 1 "$O.emd.h5" -o "$O.ie.h5ad"
"$PYTHON3" - "$O" "$PCA" >"$WORK/py.out" 2>&1 <<'PY'
import sys, anndata, numpy as np
o, pca = sys.argv[1], anndata.read_h5ad(sys.argv[2])
a1, a2, aw = (anndata.read_h5ad(f"{o}.{k}.h5ad") for k in ("i1", "i2", "iw"))
assert a1.n_obs == 80 and a1.n_vars == 0 and a1.obsm["X_pca"].shape == (80, 6)
assert np.array_equal(a1.obsm["X_pca"], a2.obsm["X_pca"]), "not deterministic"
u = a1.uns["scuot_interpolate"]
assert u["method"] == "uot" and u["t0"] == 0 and u["t1"] == 2 and u["s"] == 0.5 and u["rule"] == "linear"
assert np.allclose(a1.obs["weight"], 1 / 80)
# each point is the midpoint of the source and target cells it names
X = pca.obsm["X_pca"]; idx = {c: i for i, c in enumerate(pca.obs_names)}
mid = 0.5 * (X[[idx[c] for c in a1.obs["source_cell"]]] + X[[idx[c] for c in a1.obs["target_cell"]]])
assert np.allclose(mid, a1.obsm["X_pca"])
assert aw.n_obs == 500 and aw.uns["scuot_interpolate"]["rule"] == "wfr" and aw.obs["weight"].sum() > 0
print("ok")
PY
[ $? = 0 ] && ok "interpolated populations read by anndata: midpoints, determinism" || not_ok "interpolated populations" "$(cat "$WORK/py.out")"
run_expect "interpolate outside the days" 2 "--at 5 is outside the days of this result \(0 to 2\)" "$O.x.h5ad" \
	"$I" --at 5 "$O.uot.h5" -o "$O.x.h5ad"
run_expect "interpolate an h5ad" 2 "pca.h5ad: not a scuot transport result" "$O.x.h5ad" "$I" --at 1 "$PCA" -o "$O.x.h5ad"
cp "$O.uot.h5" "$WORK/old.h5"
"$PYTHON3" -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); f.attrs['format_version']=0" "$WORK/old.h5"
run_expect "interpolate a result of another version" 2 "old.h5: transport result format version 0" "$O.x.h5ad" \
	"$I" --at 1 "$WORK/old.h5" -o "$O.x.h5ad"
run_expect "wfr rule on a uot result" 2 "needs a result of method wfr" "$O.x.h5ad" \
	"$I" --at 1 --rule wfr "$O.uot.h5" -o "$O.x.h5ad"
# --- transport maps (Waddington-OT layout) ---
run_expect "export a tmap" 0 "transport map" "$O.tmap.h5ad" "$T" --method uot --from 0 --to 2 "$PCA" -o "$O.u2.h5" \
	--export-tmap "$O.tmap.h5ad"
run_expect "export a top-k tmap" 0 "" "$O.tmapk.h5ad" "$T" --method uot --max-memory 16K --topk 4 --from 0 --to 2 "$PCA" \
	-o "$O.u3.h5" --export-tmap "$O.tmapk.h5ad"
run_expect "interpolate a tmap" 0 "" "$O.it.h5ad" "$I" --at 1 "$O.tmap.h5ad" --coords "$PCA" -o "$O.it.h5ad"
"$PYTHON3" - "$O" "$PCA" >"$WORK/py.out" 2>&1 <<'PY'
import sys, anndata, h5py, numpy as np, scipy.sparse as sp
o, pca = sys.argv[1], anndata.read_h5ad(sys.argv[2])
t = anndata.read_h5ad(f"{o}.tmap.h5ad")
f = h5py.File(f"{o}.u2.h5", "r")
src = [s.decode() for s in f["problem/source_ids"][:]]; tgt = [s.decode() for s in f["problem/target_ids"][:]]
assert list(t.obs_names) == src and list(t.var_names) == tgt
assert list(pca.obs_names[pca.obs["day"] == 0]) == src
P = f["coupling/dense"][:]
assert np.allclose(t.X.toarray(), P * len(src), rtol=1e-6, atol=1e-12)  # wot's scale: n pi
assert np.allclose(t.obs["g1"], f["marginals/row_sum"][:] * len(src)) and np.allclose(t.obs["g0"], 1)
assert np.allclose(t.X.sum(1).A1, t.obs["g1"], rtol=1e-5)
assert np.allclose(t.obs["growth_rate"], t.obs["g1"] ** 0.5) and t.uns["tmap"]["t1"] == 2
k = anndata.read_h5ad(f"{o}.tmapk.h5ad")
assert (k.X.getnnz(axis=1) == 4).all()
# the 4 kept entries of each row are that row's 4 largest
for i in range(0, k.n_obs, 7):
    assert set(k.X[i].indices) == set(np.argsort(-P[i])[:4])
a = anndata.read_h5ad(f"{o}.i1.h5ad"); b = anndata.read_h5ad(f"{o}.it.h5ad")
assert a.n_obs == b.n_obs and b.uns["scuot_interpolate"]["t1"] == 2
# a map as Waddington-OT writes it: dense float64 X, obs g0/g1, no uns
w = anndata.AnnData(X=P * 3.0, obs={"g0": np.ones(len(src)), "g1": P.sum(1) * 3 * len(src)})
w.obs_names, w.var_names = src, tgt
w.write_h5ad(f"{o}.wot_tmap.h5ad")
print("ok")
PY
[ $? = 0 ] && ok "transport maps: obs/var, coupling, growth columns, top-k rows; interpolation from a map" ||
	not_ok "transport maps" "$(cat "$WORK/py.out")"
run_expect "interpolate a wot-written tmap" 0 "" "$O.iw2.h5ad" "$I" --at 1 "$O.wot_tmap.h5ad" --coords "$PCA" -o "$O.iw2.h5ad"
run_expect "tmap without --coords" 2 "needs --coords|read with --coords" "$O.x.h5ad" "$I" --at 1 "$O.tmap.h5ad" -o "$O.x.h5ad"
run_expect "tmap cells missing from the coordinates" 2 "is not in .*cells.h5ad|no such embedding" "$O.x.h5ad" \
	"$I" --at 1 "$O.tmap.h5ad" --coords "$WORK/cells.h5ad" -o "$O.x.h5ad"
# --- --preset wot: Waddington-OT's own transport_stablev2 on the same cells (tests/fixtures/ot/wot) ---
FXW=$top_srcdir/tests/fixtures/ot/wot
run_expect "preset wot" 0 "" "$O.w.h5ad" "$T" --preset wot --growth-column g --from 0 --to 2 "$FXW/problem.h5ad" \
	-o "$O.w.h5" --export-tmap "$O.w.h5ad"
"$PYTHON3" - "$O.w.h5ad" "$FXW/tmap.txt" >"$WORK/py.out" 2>&1 <<'PY'
import sys, anndata, numpy as np
t = anndata.read_h5ad(sys.argv[1]).X.toarray(); w = np.loadtxt(sys.argv[2])
err = abs(t - w).max() / w.max()
assert err < 1e-5, err
print(f"max relative difference {err:.2g}")
PY
[ $? = 0 ] && ok "preset wot agrees with Waddington-OT's transport map ($(cat "$WORK/py.out"))" ||
	not_ok "preset wot against Waddington-OT" "$(cat "$WORK/py.out")"
run_expect "preset of another method" 2 "--preset wot is a preset of method uot, not emd" "$O.x.h5" \
	"$T" --preset wot --method emd --from 0 --to 2 "$PCA" -o "$O.x.h5"
finish
