#!/usr/bin/python3
# tests/bench/swfr/bayes.py -- the swfr paper's Bayesian example (Sec. 6.3, Fig. 8 and 9) through scuot-uotgen:
# the posterior of the Bernoulli equation's initial value from weighted prior samples (Algorithm 2), and the
# online algorithm (Algorithm 3) over four updates; histograms of the generated weighted samples against the
# analytic posterior, and a table of their means and sds, into reports/swfr/bayes.{md,svg}.
"""Usage: bayes.py BINDIR OUTDIR [--iters N]   (N: 1500, the budget of tests/cli/uotgen_bayes.sh)"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "cli"))
import bernoulli  # noqa: E402

BIN, OUT = sys.argv[1], sys.argv[2]
ITERS = sys.argv[sys.argv.index("--iters") + 1] if "--iters" in sys.argv else "1500"  # as uotgen_bayes.sh
UG = os.path.join(BIN, "scuot-uotgen")
BERN = [sys.executable, os.path.join(SRC, "tests", "cli", "bernoulli.py")]
TMP = tempfile.mkdtemp(prefix="scuot-bayes-")
os.makedirs(OUT, exist_ok=True)


def run(*args):
    subprocess.run(list(args), check=True)


def load(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    h = rows[0]
    x = np.array([float(r[h.index("x0")]) for r in rows[1:]])
    w = np.array([float(r[h.index("weight")]) for r in rows[1:]])
    return x, w / w.sum()


def posterior(dt, obs, grid):
    """The analytic posterior density on grid (the data and likelihood of tests/cli/bernoulli.py)."""
    lp = -(grid - 0.5) ** 2 / 2 + bernoulli.loglik(grid, dt, obs)
    p = np.exp(lp - lp.max())
    return p / (p.sum() * (grid[1] - grid[0]))


def moments(x, w):
    m = (w * x).sum()
    return m, np.sqrt((w * (x - m) ** 2).sum())


rows, panels = [], []
t0 = time.time()
# Sec. 6.3: dt = 1, D_1..D_50
p = os.path.join(TMP, "prior.tsv")
run(*BERN, "prior", p, "--dt", "1", "--obs", "1:50", "--n", "8192")
run(UG, "train", "-q", "--threads", "1", "--iters", ITERS, "--log-weight-column", "loglik", p, "-o", os.path.join(TMP, "m.h5"))
run(UG, "sample", "-q", "--seed", "3", os.path.join(TMP, "m.h5"), "-n", "20000", "-o", os.path.join(TMP, "g.tsv"))
panels.append(("Sec. 6.3: dt 1, D_1..D_50", 1.0, "1:50", os.path.join(TMP, "g.tsv")))
# Algorithm 3: dt = 0.1, m = 5, then four online updates
p = os.path.join(TMP, "prior5.tsv")
run(*BERN, "prior", p, "--dt", "0.1", "--obs", "1:5", "--n", "8192", "--seed", "2")
model = os.path.join(TMP, "on1.h5")
run(UG, "train", "-q", "--threads", "1", "--iters", ITERS, "--log-weight-column", "loglik", p, "-o", model)
for k in range(1, 6):
    g = os.path.join(TMP, "on%d.tsv" % k)
    run(UG, "sample", "-q", "--seed", str(10 + k), model, "-n", "20000", "-o", g)
    panels.append(("online, D_1..D_%d (dt 0.1)" % (5 * k), 0.1, "1:%d" % (5 * k), g))
    if k == 5:
        break
    d = os.path.join(TMP, "draw%d.tsv" % k)
    run(UG, "sample", "-q", "--seed", str(20 + k), model, "-n", "8192", "-o", d)
    run(*BERN, "loglik", d, d + ".l", "--dt", "0.1", "--obs", "%d:%d" % (5 * k + 1, 5 * k + 5))
    nxt = os.path.join(TMP, "on%d.h5" % (k + 1))
    run(UG, "train", "-q", "--threads", "1", "--iters", ITERS, "--init", model, "--weight-column", "weight", "--log-weight-column",
        "loglik", d + ".l", "-o", nxt)
    model = nxt
secs = time.time() - t0

fig, ax = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.2))
grid = np.linspace(-3, 4, 70001)
for a, (title, dt, obs, g) in zip(ax, panels):
    x, w = load(g)
    dens = posterior(dt, obs, grid)
    tm = (grid * dens).sum() * (grid[1] - grid[0])
    tsd = np.sqrt(((grid - tm) ** 2 * dens).sum() * (grid[1] - grid[0]))
    m, sd = moments(x, w)
    rows.append((title, m, sd, tm, tsd, abs(m - tm) / abs(tm), abs(sd - tsd) / tsd, 1 / (w * w).sum()))
    lo, hi = tm - 5 * tsd, tm + 5 * tsd
    a.hist(x, bins=80, range=(lo, hi), weights=w, density=True, color="#9ecae1", label="UOT-gen (weighted)")
    sel = (grid > lo) & (grid < hi)
    a.plot(grid[sel], dens[sel], color="#d62728", lw=1.5, label="analytic posterior")
    a.set_title(title, fontsize=9)
    a.set_xlabel("x0")
ax[0].legend(fontsize=7)
fig.tight_layout()
fig.savefig(os.path.join(OUT, "bayes.svg"))

with open(os.path.join(OUT, "bayes.md"), "w") as f:
    f.write("# UOT-gen on the Bayesian example (swfr paper Sec. 6.3)\n\n")
    f.write("Written by tests/bench/swfr/bayes.py (%s, %.0f s) through `scuot-uotgen`. The Bernoulli equation "
            "dv/dt - v = -v^3 with v(0) = x0 = 0.2 observed with N(0, 0.4^2) noise (tests/cli/bernoulli.py, fixed "
            "seed); prior N(0.5, 1). Algorithm 2: 8192 prior samples weighted by the likelihood of D_1..D_50 "
            "(dt = 1) train the model (%s iterations, batch 512, defaults otherwise), 20000 N(0, 1) draws are taken "
            "back. Algorithm 3 (dt = 0.1, m = 5): trained on D_1..D_5, then four online updates, each on 8192 "
            "samples generated by the previous model reweighted by the likelihood of the next five observations, "
            "warm-started (`--init`, %s iterations at its default learning rate, a tenth of a new model's). The paper draws 2048 prior samples; with 2048 the weighted "
            "prior's own Monte Carlo error of the mean is about 2.7%% of it.\n\n"
            % (time.strftime("%Y-%m-%d"), secs, ITERS, ITERS))
    f.write("![generated weighted samples against the analytic posterior](bayes.svg)\n\n")
    f.write("| posterior | generated mean | generated sd | analytic mean | analytic sd | mean error | sd error "
            "| effective sample size of 20000 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
    for r in rows:
        f.write("| %s | %.4f | %.4f | %.4f | %.4f | %.1f%% | %.1f%% | %.0f |\n"
                % (r[0], r[1], r[2], r[3], r[4], 100 * r[5], 100 * r[6], r[7]))
    miss = [r[0] for r in rows if r[5] > 0.05 or r[6] > 0.05]
    f.write("\nOutside the issue's 5%% on mean or sd: %s.\n" % ("; ".join(miss) if miss else "none"))
    f.write("\nThe issue's criterion is mean and sd within 5% of the analytic posterior; `tests/cli/uotgen_bayes.sh` "
            "asserts it for the Sec. 6.3 posterior and the first online update (D_1..D_10).\n")
    f.write("\nMeasured by hand on 2026-11-24 with this script's chain (1500 iterations an update, sd error after "
            "D_1..D_10, D_1..D_15, D_1..D_20, D_1..D_25): at the learning rate of a new model (0.01) for the "
            "updates, 3.9%, 5.0%, then the third update diverged (generated mean 0.37 against 0.18, sd 0.63 against "
            "0.054); at 0.003, 4.7%, 5.1%, 5.4%, 12.5%; at 0.001 (now `--init`'s default), 4.2%, 5.5%, 4.7%, 9.2%, "
            "the means within 1.7% throughout; at 0.001 with 3000 iterations the first update was worse (6.3%). "
            "The generated posterior comes out too wide by a few percent from the first round on (3.9% after "
            "D_1..D_5) and the excess tends to grow as it narrows. A likely cause, not verified: the whitening stays "
            "that of the first round's samples (sd 0.14) while the posterior's sd falls to 0.055, so later rounds "
            "must contract N(0, 1) more, and the transport cost J_SWFR in the objective pulls against "
            "contraction.\n")
print(open(os.path.join(OUT, "bayes.md")).read())
