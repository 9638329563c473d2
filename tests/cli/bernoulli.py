#!/usr/bin/python3
# tests/cli/bernoulli.py -- the Bayesian example of the swfr paper (Sec. 6.3) for scuot-uotgen: the Bernoulli
# equation dv/dt - v = -v^3, v(0) = x0, solution G(x0, t) = x0 (x0^2 + (1 - x0^2) e^(-2t))^(-1/2) (6.3);
# observations D_k = G(0.2, k dt) + N(0, 0.4^2), k = 1..T; prior x0 ~ N(0.5, 1); likelihood (6.4).
"""Usage:
  bernoulli.py prior OUT.tsv --dt DT --obs A:B [--n N] [--seed S]   prior samples, column loglik of D_A..D_B
  bernoulli.py loglik IN.tsv OUT.tsv --dt DT --obs A:B              IN (id, x0, weight) plus column loglik
  bernoulli.py check GEN.tsv --dt DT --obs A:B [--tol 0.05]         weighted mean and sd of GEN against the
                                                                   analytic posterior given D_A..D_B (quadrature);
                                                                   exit 3 when they miss the tolerance
The observations are drawn once from a fixed seed (T = 50), so every call sees the same data."""
import sys

import numpy as np

SIGMA, X_TRUE, T = 0.4, 0.2, 50


def G(x, t):
    return x / np.sqrt(x * x + (1 - x * x) * np.exp(-2 * t))


def arg(name, default=None):
    a = sys.argv
    return a[a.index(name) + 1] if name in a else default


def data(dt):
    t = dt * np.arange(1, T + 1)
    return t, G(X_TRUE, t) + SIGMA * np.random.default_rng(20230615).standard_normal(T)


def loglik(x, dt, obs):
    a, b = (int(v) for v in obs.split(":"))
    t, d = data(dt)
    t, d = t[a - 1:b], d[a - 1:b]
    r = d[None, :] - G(np.asarray(x, float)[:, None], t[None, :])
    return -(r * r).sum(1) / (2 * SIGMA * SIGMA)


def read(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path)]
    head = rows[0]
    return head, rows[1:]


def main():
    cmd, dt, obs = sys.argv[1], float(arg("--dt", 1)), arg("--obs", "1:50")
    if cmd == "prior":
        n = int(arg("--n", 2048))
        x = np.random.default_rng(int(arg("--seed", 1))).normal(0.5, 1, n)
        with open(sys.argv[2], "w") as f:
            f.write("id\tx0\tloglik\n")
            for i, (xi, li) in enumerate(zip(x, loglik(x, dt, obs))):
                f.write("p%d\t%.12g\t%.12g\n" % (i + 1, xi, li))
    elif cmd == "loglik":
        head, rows = read(sys.argv[2])
        x = [float(r[head.index("x0")]) for r in rows]
        with open(sys.argv[3], "w") as f:
            f.write("\t".join(head + ["loglik"]) + "\n")
            for r, li in zip(rows, loglik(x, dt, obs)):
                f.write("\t".join(r + ["%.12g" % li]) + "\n")
    elif cmd == "check":
        head, rows = read(sys.argv[2])
        x = np.array([float(r[head.index("x0")]) for r in rows])
        w = np.array([float(r[head.index("weight")]) for r in rows])
        w = w / w.sum()
        m, sd = (w * x).sum(), np.sqrt((w * (x - (w * x).sum()) ** 2).sum())
        g = np.linspace(-6, 7, 130001)
        lp = -(g - 0.5) ** 2 / 2 + loglik(g, dt, obs)
        p = np.exp(lp - lp.max())
        p /= p.sum()
        tm = (g * p).sum()
        tsd = np.sqrt(((g - tm) ** 2 * p).sum())
        tol = float(arg("--tol", 0.05))
        em, es = abs(m - tm) / abs(tm), abs(sd - tsd) / tsd
        print("posterior given D_%s (dt %g): generated mean %.4f sd %.4f (effective sample size %.0f of %d); "
              "analytic mean %.4f sd %.4f; relative errors %.3f and %.3f (tolerance %.3f)"
              % (obs.replace(":", "..D_"), dt, m, sd, 1 / (w * w).sum(), len(w), tm, tsd, em, es, tol))
        sys.exit(0 if em <= tol and es <= tol else 3)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
