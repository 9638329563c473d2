#!/usr/bin/python3
# tests/bench/flow/papers.py -- the synthetic experiments of the particle-flow papers through scuot-transport:
# figures (SVG) and tables (markdown) of MMD against step in reports/flows/.
"""Usage: papers.py BINDIR OUTDIR [--quick]

1. Sobolev descent (Mroueh et al. 2019, Fig. 3): 1-D N(0.2, sd 0.005) to N(1.6, sd 0.1), 1000 particles,
   ksd with lambda 1e-6, 1e-2, 1: densities along the path and MMD to the target.
2. Unbalanced Sobolev descent (Mroueh & Rigotti 2020, Fig. 1): 2-D standard Gaussian to a mixture of 8
   Gaussians on a circle, ksd against kusd at the same step budget.
3. IFT (Gladin et al. 2024, Fig. 3): 100 particles from N(5 1, I) to 100 samples of N(0, [[1, .5], [.5, 2]])
   and of the paper's 3-component mixture; sigma 10, tau 50, eta 0.1; ift (exact MMD step, and the authors'
   one projected-gradient step), mmdflow without and with noise (10, off at 3000), wfrflow; an IFT
   iteration counts as two steps (as in the paper); several seeds.
4. IFT Fig. 6: 100-D, N(0, I) to a mixture of 3 Gaussians with |m_i| = 20 and covariance eigenvalues
   > 0.5: ift, wfrflow, mmdflow, mmdflow + noise (off at 4000).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import anndata
import h5py
import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BIN, OUT = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
S1 = "1"  # bandwidth: the target 1.4 away stays visible (at 0.3 the source only repels itself)
os.makedirs(OUT, exist_ok=True)
TMP = tempfile.mkdtemp(prefix="scuot-flow-papers-")
md = []


def problem(x, y, name):
    """An h5ad with obsm X_pca (source rows, then target rows) and obs day 0 / 1."""
    n, m = len(x), len(y)
    a = anndata.AnnData(X=np.zeros((n + m, 1), dtype=np.float32))
    a.obsm["X_pca"] = np.vstack([x, y]).astype(np.float64)
    a.obs["day"] = np.r_[np.zeros(n), np.ones(m)]
    a.obs_names = ["c%d" % i for i in range(n + m)]
    path = os.path.join(TMP, name + ".h5ad")
    a.write_h5ad(path)
    return path


def transport(inp, method, opts, tag, seed=1):
    out = os.path.join(TMP, tag + ".h5")
    cmd = [os.path.join(BIN, "scuot-transport"), "-q", "--seed", str(seed), "--method", method, "--from", "0",
           "--to", "1", "--cost-norm", "none"] + opts.split() + [inp, "-o", out]
    t = time.time()
    subprocess.run(cmd, check=True)
    sec = time.time() - t
    with h5py.File(out, "r") as f:
        curve, curve2 = f["diagnostics/curve"][()], f["diagnostics/curve2"][()]
        snaps = []
        for k in sorted(f["snapshots"].keys(), key=int):
            g = f["snapshots"][k]
            snaps.append((float(g["s"][()]), g["x"][()], g["w"][()]))
    os.remove(out)
    return curve, curve2, snaps, sec


def save(fig, name):
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, name + ".svg"))
    if os.environ.get("PAPERS_PNG"):  # a raster copy for a quick look
        fig.savefig(os.path.join(os.environ["PAPERS_PNG"], name + ".png"), dpi=60)
    plt.close(fig)


def gauss(rng, n, mean, cov):
    return rng.multivariate_normal(np.asarray(mean, float), np.asarray(cov, float), size=n)


# ---- 1. Sobolev descent in 1-D, the effect of lambda -------------------------------------------------------
def sobolev_1d():
    rng = np.random.default_rng(1)
    n, steps, rec = 1000, 300 if not QUICK else 60, 5
    inp = problem(rng.normal(0.2, 0.005, (n, 1)), rng.normal(1.6, 0.1, (n, 1)), "sd1")
    lams = ["1e-06", "0.01", "1"]
    fig, ax = plt.subplots(1, len(lams) + 1, figsize=(4 * (len(lams) + 1), 3.4))
    md.append("## 1. Sobolev descent, 1-D N(0.2, sd 0.005) to N(1.6, sd 0.1) (Mroueh et al. 2019, Fig. 3)\n")
    md.append("ksd, 1000 particles, 100 features, sigma 1, step 0.05, %d steps.  The panels show the particle "
              "density (log colour scale) along the path; the table the widest interquartile range (IQR) on the "
              "path (the source's is 0.007, the target's 0.135: the Benamou-Brenier path widens monotonically "
              "between them), the particles left outside [1.2, 2.0] at the end, and the MMD to the target.\n"
              % steps)
    md.append("| lambda | widest IQR on the path | final median | final IQR | outside [1.2, 2.0] | MMD at step 100 "
              "| final MMD |")
    md.append("|---|---|---|---|---|---|---|")
    edges = np.linspace(-0.5, 3.0, 281)
    for c, lam in enumerate(lams):
        curve, _, snaps, _ = transport(inp, "ksd", "--sigma %s --features 100 --step 0.05 --steps %d "
                                       "--record %d --lambda %s" % (S1, steps, rec, lam), "sd1_%s" % lam)
        img = np.array([np.histogram(x[:, 0], edges, weights=w)[0] for _, x, w in snaps]) + 1e-4
        ax[c].imshow(np.log10(img), aspect="auto", origin="lower", cmap="magma",
                     extent=[edges[0], edges[-1], 0, (len(snaps) - 1) * rec])
        ax[c].set_title("lambda %s" % lam)
        ax[c].set_xlabel("x")
        ax[c].set_ylabel("step")
        ax[len(lams)].semilogy(np.arange(len(curve)) * rec, curve, label="lambda %s" % lam)
        iqr = [np.subtract(*np.percentile(x[:, 0], [75, 25])) for _, x, _ in snaps]
        xf = snaps[-1][1][:, 0]
        i100 = min(len(curve) - 1, 100 // rec)
        md.append("| %s | %.3g | %.3g | %.3g | %.1f%% | %.3g | %.3g |" %
                  (lam, max(iqr), np.median(xf), iqr[-1], 100 * np.mean((xf < 1.2) | (xf > 2.0)), curve[i100],
                   curve[-1]))
    ax[len(lams)].set_xlabel("step")
    ax[len(lams)].set_ylabel("MMD to target")
    ax[len(lams)].legend(fontsize=7)
    save(fig, "sobolev_1d")
    md.append("\n![](sobolev_1d.svg)\n")
    md.append(NOTE1)


# ---- 2. ksd against kusd, Gaussian to 8 modes ----------------------------------------------------------------
def eight_modes():
    rng = np.random.default_rng(2)
    n, steps, rec = 500, 400 if not QUICK else 80, 10
    th = 2 * np.pi * (np.arange(n) % 8) / 8
    y = np.c_[4 * np.cos(th), 4 * np.sin(th)] + rng.normal(0, 0.3, (n, 2))
    inp = problem(rng.normal(0, 1, (n, 2)), y, "mog8")
    md.append("## 2. Gaussian to a mixture of 8 Gaussians (Mroueh & Rigotti 2020, Fig. 1)\n")
    md.append("500 particles, 200 features, sigma 1, step 0.05, %d steps; kusd with alpha 1, tau 0.05, gamma 1 "
              "(mass conserved).\n" % steps)
    md.append("| method | MMD at step 50 | 100 | 200 | final | seconds |")
    md.append("|---|---|---|---|---|---|")
    fig, ax = plt.subplots(1, 3, figsize=(12, 3.6))
    for c, meth in enumerate(["ksd", "kusd"]):
        curve, _, snaps, sec = transport(inp, meth, "--sigma 1 --features 200 --steps %d --record %d" %
                                         (steps, rec), "mog8_" + meth)
        ax[2].semilogy(np.arange(len(curve)) * rec, curve, label=meth)
        _, x, w = snaps[-1]
        ax[c].scatter(y[:, 0], y[:, 1], s=3, c="lightgray", rasterized=True)
        ax[c].scatter(x[:, 0], x[:, 1], s=4 * w / w.mean(), c="C%d" % c, rasterized=True)
        ax[c].set_title("%s, step %d" % (meth, steps))
        at = [curve[min(len(curve) - 1, s // rec)] for s in (50, 100, 200)]
        md.append("| %s | %.3g | %.3g | %.3g | %.3g | %.1f |" % (meth, at[0], at[1], at[2], curve[-1], sec))
    ax[2].set_xlabel("step")
    ax[2].set_ylabel("MMD to target")
    ax[2].legend()
    save(fig, "eight_modes")
    md.append("\n![](eight_modes.svg)\n")
    md.append(NOTE2)


NOTE1 = ("As in the paper's Fig. 3, regularisation decides how smooth the path is: lambda 1 moves the whole "
         "population along a widening band (its IQR stays below 0.33 and ends near the target's 0.135); lambda "
         "0.01 reaches the lowest MMD but throws part of the mass out and back on the way; lambda 1e-6 (almost no "
         "regularisation) scatters the particles (IQR up to 4.6) and ends collapsed onto a point (final IQR "
         "~0).\n")
NOTE2 = ("As in the USD paper's Fig. 1, unbalanced Sobolev descent (reaction step on the masses) is closer to "
         "the 8-mode target than Sobolev descent at every step budget, most clearly early on (about half the MMD "
         "at steps 50 and 100).\n")
NOTE3 = ("What holds here: IFT with the exact MMD step reaches MMD^2 <= 1e-4 within a few hundred steps on both "
         "targets, and ends lowest or level with the others.  What does not: the MMD flow without noise does not "
         "stay above 1e-3 as in the paper's Fig. 3; it falls to about 1e-6.  The reason is the target sample: "
         "scuot transports between two fixed samples (here 100 target points), which the particles can fit "
         "almost exactly, while the authors' code (github egorgladin/ift_flow, ift_experiment.py) draws a fresh "
         "target sample at every iteration and scores against another held-out sample, so the MMD cannot fall "
         "below the sampling noise and particles stuck away from the target stay visible.  The authors' one "
         "projected-gradient step for the MMD step (--one-step) is slower than the exact step per iteration.\n")
NOTE4 = ("Differences from the paper: the authors' code for this experiment uses d x 100 = 10,000 particles, fresh "
         "target samples every iteration and their own step size; here 200 particles and a fixed target sample "
         "of 200 (several minutes a run otherwise on this machine).  The ordering of Fig. 6 holds in part: the "
         "WFR flow and IFT end lowest, the MMD flow (with or without noise) highest.\n")


# ---- 3. IFT 2-D targets --------------------------------------------------------------------------------------
IFT_METHODS = [  # label, method, options, steps per iteration
    ("IFT (exact MMD step)", "ift", "--eta 0.1", 2),
    ("IFT (one PG step, authors')", "ift", "--eta 0.1 --one-step", 2),
    ("MMD flow", "mmdflow", "", 1),
    ("MMD flow + noise", "mmdflow", "--noise 10 --noise-off 3000", 1),
    ("WFR flow", "wfrflow", "--eta 1", 1),
]


def ift_targets():
    seeds = 5 if not QUICK else 1
    total = 6000 if not QUICK else 600
    rec = 50
    md.append("## 3. IFT 2-D experiments (Gladin et al. 2024, Fig. 3)\n")
    md.append("100 particles from N(5 1, I), 100 target samples, sigma 10, tau 50, eta 0.1; %d steps, an IFT "
              "iteration counting as two steps (so IFT runs %d iterations); mean of MMD^2 over %d seeds (new "
              "source and target samples each).\n" % (total, total // 2, seeds))
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.8))
    for c, mix in enumerate([False, True]):
        md.append("**%s target.**\n" % ("3-component mixture" if mix else "Gaussian"))
        md.append("| method | MMD^2 at step 1000 | 2000 | 4000 | final (mean) | final (max over seeds) | "
                  "seconds a run |")
        md.append("|---|---|---|---|---|---|---|")
        for lab, meth, opts, per in IFT_METHODS:
            curves, secs = [], []
            for sd in range(seeds):
                rng = np.random.default_rng(100 + sd)
                x = gauss(rng, 100, [5, 5], np.eye(2))
                if mix:
                    comp = rng.integers(0, 3, 100)
                    y = np.where((comp == 0)[:, None], gauss(rng, 100, [0, 0], [[1, .5], [.5, 2]]),
                                 np.where((comp == 1)[:, None], gauss(rng, 100, [3, -1], np.eye(2)),
                                          gauss(rng, 100, [1, 4], [[3, .5], [.5, 1]])))
                else:
                    y = gauss(rng, 100, [0, 0], [[1, .5], [.5, 2]])
                inp = problem(x, y, "ift%d_%d" % (mix, sd))
                it = total // per
                curve, _, _, sec = transport(inp, meth, "--sigma 10 --tau 50 --steps %d --record %d %s" %
                                             (it, rec // per, opts), "ift_%s_%d" % (meth, sd), seed=sd + 1)
                curves.append(curve ** 2)
                secs.append(sec)
            cm = np.mean(curves, axis=0)
            stepax = np.arange(len(cm)) * rec
            ax[c].semilogy(stepax, cm, label=lab)
            at = [cm[min(len(cm) - 1, s // rec)] for s in (1000, 2000, 4000)]
            md.append("| %s | %.3g | %.3g | %.3g | %.3g | %.3g | %.2f |" % (lab, at[0], at[1], at[2], cm[-1],
                                                                         max(cv[-1] for cv in curves),
                                                                         np.mean(secs)))
        md.append("")
        ax[c].set_title("Gaussian mixture target" if mix else "Gaussian target")
        ax[c].set_xlabel("steps (IFT iteration = 2 steps)")
        ax[c].set_ylabel("MMD^2")
        ax[c].axhline(1e-4, color="gray", lw=0.5, ls=":")
        ax[c].axhline(1e-3, color="gray", lw=0.5, ls="--")
    ax[0].legend(fontsize=7)
    save(fig, "ift_2d")
    md.append("![](ift_2d.svg)\n")
    md.append(NOTE3)


# ---- 4. 100-D mixture with the WFR flow ----------------------------------------------------------------------
def ift_100d():
    d, n = 100, 200
    total = 9000 if not QUICK else 400
    rec = 100
    rng = np.random.default_rng(7)
    means, covs = [], []
    for _ in range(3):
        mu = rng.normal(size=d)
        means.append(20 * mu / np.linalg.norm(mu))
        q, _ = np.linalg.qr(rng.normal(size=(d, d)))
        covs.append(q @ np.diag(rng.uniform(0.6, 2.0, d)) @ q.T)
    comp = rng.integers(0, 3, n)
    y = np.array([rng.multivariate_normal(means[c], covs[c]) for c in comp])
    inp = problem(rng.normal(size=(n, d)), y, "d100")
    md.append("## 4. 100-D mixture of 3 Gaussians (Gladin et al. 2024, Fig. 6)\n")
    md.append("%d particles from N(0, I), %d target samples, |m_i| = 20, covariance eigenvalues in [0.6, 2]; "
              "sigma 10, tau 50, eta 0.1 (ift) and 1 (wfrflow); %d steps, an IFT iteration counting as two; "
              "noise 10 switched off at step %d.\n" % (n, n, total, 4000 if not QUICK else 200))
    md.append("| method | MMD at step 1000 | 4000 | final | seconds |")
    md.append("|---|---|---|---|---|")
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for lab, meth, opts, per in IFT_METHODS:
        if "noise" in opts:
            opts = "--noise 10 --noise-off %d" % (4000 if not QUICK else 200)
        curve, _, _, sec = transport(inp, meth, "--sigma 10 --tau 50 --steps %d --record %d %s" %
                                     (total // per, rec // per, opts), "d100_" + meth)
        ax.semilogy(np.arange(len(curve)) * rec, curve, label=lab)
        at = [curve[min(len(curve) - 1, s // rec)] for s in (1000, 4000)]
        md.append("| %s | %.3g | %.3g | %.3g | %.1f |" % (lab, at[0], at[1], curve[-1], sec))
    ax.set_xlabel("steps (IFT iteration = 2 steps)")
    ax.set_ylabel("MMD to target")
    ax.legend(fontsize=7)
    save(fig, "ift_100d")
    md.append("\n![](ift_100d.svg)\n")
    md.append(NOTE4)


if __name__ == "__main__":
    which = [a for a in sys.argv[3:] if not a.startswith("--")] or ["1", "2", "3", "4"]
    t0 = time.time()
    try:
        for k in which:
            {"1": sobolev_1d, "2": eight_modes, "3": ift_targets, "4": ift_100d}[k]()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    name = "papers.md" if which == ["1", "2", "3", "4"] and not QUICK else "papers-%s.md" % "".join(which)
    with open(os.path.join(OUT, name), "w") as f:
        f.write("# The particle flows on the papers' synthetic experiments\n\nWritten by tests/bench/flow/papers.sh "
                "(scuot-transport on generated h5ad files; %s, %.0f s).\n\n" % (time.strftime("%Y-%m-%d"),
                                                                                  time.time() - t0))
        f.write("\n".join(md) + "\n")
    print("papers.py: %s in %.0f s" % (",".join(which), time.time() - t0))
