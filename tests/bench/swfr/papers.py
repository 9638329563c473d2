#!/usr/bin/python3
# tests/bench/swfr/papers.py -- the swfr paper's figures (Sec. 6.1 Fig. 3, 4, 5b; Sec. 6.2 Fig. 6) from the
# driver tests/bench/swfr/papers.c: SVG figures and papers.md in reports/swfr/.
"""Usage: papers.py [BUILD_DIR [OUT_DIR]] [--quick] [--png]   (defaults: . and reports/swfr of this tree)

Jing, Li, Liu, Zhou, learned geodesics under the spherical Wasserstein-Fisher-Rao metric (the swfr paper of
NOTES.md), Sec. 6: the OT-Flow potential (width 32, r = d, log cosh), RK4 with 8 steps on [0, 1],
gamma1 = gamma2 = 0.01, Adam (learning rate 0.01), as src/lib/neural/swfr.c implements them (swfr_internal.h).
Sec. 6.1: rho0 = 1/3 N(-3, 1) + 2/3 N(3, 1) from 2048 particles to rho1 = N(0, 1), alpha in {0.5, 1, 10, 1e4};
the forward flow (4.9) of the 2048 particles and the inverse flow (4.11) of 2048 draws of N(0, 1).
Sec. 6.2: FFJORD's "8 Gaussians" and "two moons" (as tests/unit/test_swfr.c draws them) to N(0, I) at
alpha 1 (the paper does not give its alpha there); the four panels of Fig. 6 from fresh points of the toy and
fresh draws of N(0, I).  The paper gives no iteration counts or minibatch sizes: the budget here is what a few
minutes of one CPU core allow.  MMD^2: the V-statistic with the Gaussian kernel exp(-|u - v|^2 / 2) (bandwidth 1,
as in the unit tests), weighted where the particles carry weights.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
QUICK = "--quick" in sys.argv
PNG = "--png" in sys.argv  # PNG copies of the figures beside the SVG files, for viewing
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.path.abspath(ARGS[0] if ARGS else ".")
OUT = os.path.abspath(ARGS[1] if len(ARGS) > 1 else os.path.join(SRC, "reports", "swfr"))
DATA = tempfile.mkdtemp(prefix="scuot-swfr-papers-")
ALPHAS = [0.5, 1, 10, 1e4]
ONED_ITERS, ONED_BATCH, GAMMA2 = (60 if QUICK else 400), 256, 0.01
TOY_ITERS, TOY_N, TOY_BATCH, TOY_PLOT = (60 if QUICK else 500), 4096, 256, (2000 if QUICK else 8000)
TOY_MMD = min(3000, TOY_PLOT // 2)  # MMD^2 on this many points of each set (O(n^2))
PAPER_W2 = 2.71
os.makedirs(OUT, exist_ok=True)
DRIVER = os.path.join(BUILD, "tests", "bench", "swfr", "papers")


def run(*args):
    t = time.time()
    out = subprocess.run([DRIVER] + [str(a) for a in args], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout.split()
    print("papers.py: %s: %.0f s" % (" ".join("%g" % a if isinstance(a, float) else str(a) for a in args[:3]),
                                     time.time() - t), flush=True)
    return out


def save(fig, name):
    fig.savefig(os.path.join(OUT, name + ".svg"))
    if PNG:
        fig.savefig(os.path.join(OUT, name + ".png"), dpi=60)
    plt.close(fig)


def load(name):
    return np.loadtxt(os.path.join(DATA, name), skiprows=1, ndmin=2)


def ksum(x, wx, y, wy):
    """sum_ij wx_i wy_j exp(-|x_i - y_j|^2 / 2), in blocks of rows"""
    acc = 0.0
    for s in range(0, len(x), 1000):
        d2 = ((x[s:s + 1000, None, :] - y[None, :, :]) ** 2).sum(-1)
        acc += wx[s:s + 1000] @ np.exp(-d2 / 2) @ wy
    return acc


def mmd2(x, wx, y):
    """weighted MMD^2 (V-statistic, bandwidth 1) of (x, wx) against the equally weighted y; x, y n x d"""
    x, y = x.reshape(len(x), -1), y.reshape(len(y), -1)
    wx = np.ones(len(x)) if wx is None else wx
    wx, wy = wx / wx.sum(), np.full(len(y), 1.0 / len(y))
    return ksum(x, wx, x, wx) + ksum(y, wy, y, wy) - 2 * ksum(x, wx, y, wy)


def rho0(rng, n):
    return np.where(rng.uniform(size=n) < 1 / 3, -3.0, 3.0) + rng.normal(size=n)


def rho0_pdf(x):
    return (np.exp(-(x + 3) ** 2 / 2) / 3 + 2 * np.exp(-(x - 3) ** 2 / 2) / 3) / np.sqrt(2 * np.pi)


def flows(alpha):
    """positions and weights (steps + 1) x n of the forward and the inverse flow"""
    out = []
    for part in ("fwd", "inv"):
        a = load("oned-%g-%s.tsv" % (alpha, part))
        n, k = int(a[:, 0].max()) + 1, int(a[:, 1].max()) + 1
        out += [a[:, 3].reshape(n, k).T, a[:, 4].reshape(n, k).T]
    return out


def oned(md):
    rng = np.random.default_rng(5)
    rows, res = [], {}
    for a in ALPHAS:
        o = run("oned", a, ONED_ITERS, ONED_BATCH, GAMMA2, DATA)
        sec, js, jr, w2 = float(o[3]), float(o[4]), float(o[5]), float(o[6])
        zf, wf, zi, wi = flows(a)
        ref1, ref0 = rng.normal(size=4000), rho0(rng, 4000)
        res[a] = (zf, wf, zi, wi, js)
        rows.append("| %g | %.4f | %.4f | %.3f | %.2g-%.2g | %.4f (%.4f) | %.4f (%.4f) | %.0f |" % (
            a, js, jr, wf[-1].std(), wi[0].min(), wi[0].max(), mmd2(zf[-1], wf[-1], ref1), mmd2(zf[0], None, ref1),
            mmd2(zi[0], wi[0], ref0), mmd2(zi[-1], None, ref0), sec))
    steps = res[ALPHAS[0]][0].shape[0] - 1
    # Fig. 3: weights against position over time, forward and inverse
    fig, ax = plt.subplots(2, len(ALPHAS), figsize=(4 * len(ALPHAS), 6.5), sharex=True)
    cmap = plt.get_cmap("viridis")
    sub = np.random.default_rng(1).choice(res[ALPHAS[0]][0].shape[1], 400, replace=False)
    for j, a in enumerate(ALPHAS):
        zf, wf, zi, wi, _ = res[a]
        for r, (z, w, name) in enumerate(((zf, wf, "forward"), (zi, wi, "inverse"))):
            for k in range(steps + 1):
                ax[r, j].scatter(z[k, sub], w[k, sub], s=3, color=cmap(k / steps), rasterized=True,
                                 label="t = %.2f" % (k / steps) if k % 2 == 0 else None)
            ax[r, j].set_title("%s, alpha = %g" % (name, a))
            ax[r, j].set_yscale("log")
        ax[1, j].set_xlabel("position x(t)")
    ax[0, 0].set_ylabel("weight w(x, t)")
    ax[1, 0].set_ylabel("weight w(x, t)")
    ax[0, -1].legend(fontsize=7, markerscale=3)
    fig.suptitle("Fig. 3: particle weights over time (400 of 2048 particles; weights of mean 1 at the start)")
    fig.tight_layout()
    save(fig, "oned_weights")
    # Fig. 4: 30 trajectories
    fig, ax = plt.subplots(2, len(ALPHAS), figsize=(4 * len(ALPHAS), 6.5), sharex=True, sharey=True)
    t = np.linspace(0, 1, steps + 1)
    norm = matplotlib.colors.LogNorm(0.1, 10)
    for j, a in enumerate(ALPHAS):
        zf, wf, zi, wi, _ = res[a]
        for r, (z, w, name) in enumerate(((zf, wf, "forward (from rho0)"), (zi, wi, "inverse (from rho1)"))):
            for i in range(30):
                for k in range(steps):
                    ax[r, j].plot(z[k:k + 2, i], t[k:k + 2], color=plt.get_cmap("coolwarm")(norm(w[k + 1, i])), lw=1)
            ax[r, j].set_title("%s, alpha = %g" % (name, a), fontsize=9)
        ax[1, j].set_xlabel("position")
    ax[0, 0].set_ylabel("t")
    ax[1, 0].set_ylabel("t")
    sm = plt.cm.ScalarMappable(norm=norm, cmap="coolwarm")
    fig.colorbar(sm, ax=ax, label="weight", shrink=0.6)
    fig.suptitle("Fig. 4: trajectories of 30 particles, coloured by weight")
    save(fig, "oned_trajectories")
    # Fig. 1 / 2, last and first columns: the weighted end densities
    fig, ax = plt.subplots(2, len(ALPHAS), figsize=(4 * len(ALPHAS), 6), sharex=True)
    grid = np.linspace(-7, 7, 300)
    for j, a in enumerate(ALPHAS):
        zf, wf, zi, wi, _ = res[a]
        ax[0, j].hist(zf[-1], bins=60, range=(-7, 7), weights=wf[-1], density=True, alpha=0.5, label="weighted")
        ax[0, j].hist(zf[-1], bins=60, range=(-7, 7), density=True, histtype="step", color="0.4",
                      label="positions only")
        ax[0, j].plot(grid, np.exp(-grid ** 2 / 2) / np.sqrt(2 * np.pi), "r--", label="rho1 = N(0, 1)")
        ax[0, j].set_title("forward, t = 1, alpha = %g" % a)
        ax[1, j].hist(zi[0], bins=60, range=(-7, 7), weights=wi[0], density=True, alpha=0.5, label="weighted")
        ax[1, j].hist(zi[0], bins=60, range=(-7, 7), density=True, histtype="step", color="0.4",
                      label="positions only")
        ax[1, j].plot(grid, rho0_pdf(grid), "r--", label="rho0")
        ax[1, j].set_title("inverse, t = 0, alpha = %g" % a)
    ax[0, 0].legend(fontsize=7)
    ax[1, 0].legend(fontsize=7)
    fig.suptitle("Ends of the flows (Fig. 1 and 2, last rows): weighted particle histograms against the densities")
    fig.tight_layout()
    save(fig, "oned_densities")
    # Fig. 5b: J_SWFR against alpha, and the training curves
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    ax[0].semilogx(ALPHAS, [res[a][4] for a in ALPHAS], "o-", label="J_SWFR (scuot swfr)")
    ax[0].axhline(w2, color="k", ls="--", label="W2^2 / 2 = %.3f (quantile functions)" % w2)
    ax[0].axhline(PAPER_W2, color="r", ls=":", label="paper's OT-Flow value 2.71")
    ax[0].set_xlabel("alpha")
    ax[0].set_ylabel("J_SWFR")
    ax[0].legend(fontsize=8)
    ax[0].set_title("Fig. 5b: J_SWFR against alpha")
    for a in ALPHAS:
        c = load("oned-%g-curve.tsv" % a)
        ax[1].plot(c[:, 0], c[:, 1], lw=0.8, label="alpha = %g" % a)
    ax[1].set_xlabel("Adam iteration")
    ax[1].set_ylabel("J (minibatch)")
    ax[1].set_title("training cost")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    save(fig, "oned_jswfr")
    md += ["## Sec. 6.1: 1-D Gaussian mixture to N(0, 1)", "",
           "%d Adam iterations on minibatches of %d of the 2048 particles (and %d draws of rho1 for Phi-hat), "
           "gamma2 = %g. J_SWFR and J_R: the trained forward flow over all 2048 particles. sd: standard "
           "deviation of the forward weights w(x, 1) (mean 1). Inverse weights: range of w at t = 0 of the inverse "
           "flow of 2048 N(0, 1) draws. MMD^2 forward: weighted z(1) against 4000 fresh N(0, 1) draws (in "
           "brackets: the particles at t = 0, the untrained value); inverse: weighted x(0) against 4000 fresh rho0 "
           "draws (in brackets: the N(0, 1) draws themselves). W2^2 / 2 between rho0 and rho1 from the quantile "
           "functions: %.4f (the paper's OT-Flow value: %.2f)." % (ONED_ITERS, ONED_BATCH, ONED_BATCH, GAMMA2, w2,
                                                                  PAPER_W2), "",
           "| alpha | J_SWFR | J_R | sd of w(x, 1) | inverse weights | MMD^2 forward (untrained) | "
           "MMD^2 inverse (untrained) | training s |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    md += rows + ["", "![](oned_weights.svg)", "", "![](oned_trajectories.svg)", "", "![](oned_densities.svg)", "",
                  "![](oned_jswfr.svg)", ""]


def heat(ax, p, w, title, lim=4.5):
    h, _, _ = np.histogram2d(p[:, 0], p[:, 1], bins=100, range=[[-lim, lim], [-lim, lim]], weights=w)
    ax.imshow(h.T, origin="lower", extent=[-lim, lim, -lim, lim], cmap="magma", interpolation="nearest",
              vmin=0, vmax=np.percentile(h[h > 0], 99.5))  # a few heavy particles do not set the scale
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def toys(md):
    rng = np.random.default_rng(8)
    rows = []
    for name, title in (("8gaussians", "8 Gaussians"), ("moons", "two moons")):
        o = run("toy", name, 1, TOY_ITERS, TOY_N, TOY_BATCH, TOY_PLOT, DATA)
        sec, js = float(o[4]), float(o[5])
        data = load("toy-%s-data.tsv" % name)
        fwd, back, gen = (load("toy-%s-%s.tsv" % (name, p)) for p in ("fwd", "back", "gen"))
        fig, ax = plt.subplots(2, 2, figsize=(7.5, 7.5))
        heat(ax[0, 0], data, None, "(1) samples of rho0")
        heat(ax[0, 1], fwd[:, :2], fwd[:, 2], "(2) forward transform (weighted)")
        heat(ax[1, 0], back[:, :2], back[:, 2], "(3) inverse of (2) (weighted)")
        heat(ax[1, 1], gen[:, :2], gen[:, 2], "(4) generated from N(0, I) (weighted)")
        fig.suptitle("Fig. 6: %s, alpha 1, %d iterations" % (title, TOY_ITERS))
        fig.tight_layout()
        save(fig, "toy_" + name)
        m = TOY_MMD
        ref = rng.normal(size=(m, 2))
        g, gw, d = gen[:m, :2], gen[:m, 2], data[-m:]  # data: the last m points, gen: the first m draws
        err = np.abs(back[:, :2] - data).max()
        rows.append("| %s | %.5f | %.5f | %.5f | %.5f | %.5f (%.5f) | %.2g-%.2g | %.1e, %.1e | %.4f | %.0f |" % (
            title, mmd2(g, gw, d), mmd2(g, None, d), mmd2(ref, None, d), mmd2(data[:m], None, d),
            mmd2(fwd[:m, :2], fwd[:m, 2], ref), mmd2(data[:m], None, ref), gw.min(), gw.max(), err,
            np.abs(back[:, 2] - 1).max(), js, sec))
    md += ["## Sec. 6.2: 2-D toy densities to N(0, I)", "",
           "alpha 1, %d Adam iterations on minibatches of %d of %d training points (and %d draws of N(0, I)); "
           "the panels from %d fresh points of the toy and %d fresh draws of N(0, I), flowed in chunks of 2000 "
           "(papers.c says why that is the same flow up to Monte-Carlo error). MMD^2 on %d points: generated "
           "(panel 4, weighted and without its weights) against fresh toy points; untrained: N(0, I) draws "
           "against them; floor: two independent sets of toy points; forward: panel 2 against N(0, I) draws "
           "(untrained: the toy points). Round trip: largest |x - x'| and |w - 1| of panel 3 against panel 1 "
           "(RK4 backwards is not the exact inverse of RK4 forwards)." % (TOY_ITERS, TOY_BATCH, TOY_N, TOY_BATCH,
                                                                          TOY_PLOT, TOY_PLOT, TOY_MMD), "",
           "| toy | MMD^2 generated | without weights | untrained | floor | MMD^2 forward (untrained) | "
           "generated weights | round trip x, w | J_SWFR | training s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    md += rows + ["", "![](toy_8gaussians.svg)", "", "![](toy_moons.svg)", ""]


NOTE = """## Against the paper

The paper's figures are qualitative (histograms, weight scatters, heatmaps) and its text gives one number, the
OT-Flow transport cost 2.71; this run is one seed per setting, not the five repetitions of Fig. 5b, and keeps
gamma2 = 0.01 where Fig. 5 sets gamma2 = 0.

- Fig. 3: as in the paper, the forward weights grow on the particles that end where rho1 is dense (near 0) and
  fall on those that end in its tails, the inverse weights fall on the particles that end between rho0's modes
  and grow on those in its outer flanks, and the weight change grows as alpha falls: standard deviation of
  w(x, 1) 1.86, 1.22, 0.20 and 0.0002 for alpha 0.5, 1, 10 and 1e4.
- Fig. 4: at small alpha the particles travel less ("lazier", the paper's word) and the weights make up the
  rest: at alpha 0.5 and 1 the positions alone at t = 1 stay far wider than N(0, 1) (oned_densities.svg) while
  the weighted particles match it (MMD^2 0.0025 against 0.65 untrained).
- Fig. 5b: J_SWFR rises with alpha, 1.08, 1.40, 2.54, 2.74, towards W2^2 / 2 = 2.707 (the paper's 2.71), below it
  for alpha <= 10 as the paper finds.  At alpha 1e4 the estimate is 1.1% above the limit: a learned flow that
  does not match rho1 exactly is not held to the geodesic's cost.
- Fig. 6: both toys are generated as in the paper's heatmaps: the eight modes and the two moons come back from
  N(0, I) draws with their weights (MMD^2 0.010 and 0.0016 against 0.32 and 0.095 untrained and 0.0006 and 0.0008
  between two sets of toy points).  The 8 Gaussians' generated modes are wider than the data's and their masses
  uneven; there the weights help little (0.012 without them).  On the moons the weights do most of the work
  (0.024 without them), the paper's point that weighted samples can approximate a rho0 of separate supports.
  Forward and inverse agree to 2e-3 in position and weight (panel 3 against panel 1).
- At alpha 0.5 the inverse weights span four orders of magnitude (up to 350 times the mean) and the weighted
  inverse histogram has spikes (MMD^2 0.034 against 0.004 at alpha 1): few particles carry the mass.

Not reproduced here: the density evolutions of Fig. 1 and 2 (only their end points, oned_densities.svg),
J_SWFR against gamma1 (Fig. 5a) and the Bayesian example of Sec. 6.3.  The full run took 1055 s while
`make -j2 check` ran beside it on the machine's two shared cores (the training seconds in the tables include that
contention); the --quick run (60 iterations each) took 116 s.
"""


if __name__ == "__main__":
    t0 = time.time()
    if subprocess.run(["make", "-C", BUILD, "tests/bench/swfr/papers"], stdout=subprocess.DEVNULL).returncode:
        sys.exit("papers.py: cannot build %s (run configure in %s first)" % (DRIVER, BUILD))
    md = []
    try:
        oned(md)
        toys(md)
    finally:
        shutil.rmtree(DATA, ignore_errors=True)
    with open(os.path.join(OUT, "papers.md" if not QUICK else "papers-quick.md"), "w") as f:
        f.write("# Learned spherical-WFR geodesics (swfr) on the swfr paper's experiments\n\n"
                "Written by tests/bench/swfr/papers.py (tests/bench/swfr/papers.c; %s, %.0f s%s).\n\n"
                % (time.strftime("%Y-%m-%d"), time.time() - t0, ", --quick" if QUICK else ""))
        f.write(__doc__.split("\n\n", 1)[1] + "\n" + "\n".join(md) + "\n" + ("" if QUICK else NOTE))
    print("papers.py: %.0f s" % (time.time() - t0))
