#!/usr/bin/env python3
# scuot_evaluation.py -- the evaluation table of a workflow run: per held-out day every method and baseline
# in normalised MMD and EMD (scuot-score TSVs), with each method's wall time, CPU time and peak memory
# read from the "done: X s wall, Y s CPU, peak RSS Z MB" line of its transport and interpolate logs.
"""Usage: scuot_evaluation.py -o evaluation.tsv --scores FROM,AT,TO=scores.tsv ... \
       [--log STAGE,METHOD,FROM,TO=file.log ...]
Standard library only, so any python3 runs it (Snakemake's or Nextflow's environment)."""
import argparse
import csv
import os
import re
import sys

DONE = re.compile(r"done: ([0-9.]+) s wall, ([0-9.]+) s CPU, peak RSS ([0-9.]+) MB")
METRICS = ["mmd_rff", "mmd", "emd", "emd2"]


def fail(msg):
    sys.stderr.write("scuot_evaluation.py: error: %s\n" % msg)
    sys.exit(2)


def split_key(arg, n, opt):
    if "=" not in arg:
        fail("%s '%s': expected %s=FILE" % (opt, arg, ",".join(["KEY"] * n)))
    key, path = arg.split("=", 1)
    parts = key.split(",")
    if len(parts) != n:
        fail("%s '%s': expected %d comma-separated keys before '='" % (opt, arg, n))
    if not os.path.isfile(path):
        fail("%s: no such file (given with %s)" % (path, opt))
    return parts, path


def read_done(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        hits = DONE.findall(fh.read())
    if not hits:
        fail("%s: no 'done: ... s wall, ... s CPU, peak RSS ... MB' line; the stage did not finish "
             "or ran with -q" % path)
    return [float(v) for v in hits[-1]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--scores", action="append", default=[])
    ap.add_argument("--log", action="append", default=[])
    a = ap.parse_args()
    logs = {}
    for arg in a.log:
        (stage, method, t0, t1), path = split_key(arg, 4, "--log")
        logs[(stage, method, t0, t1)] = read_done(path)
    rows = []
    for arg in a.scores:
        (t0, at, t1), path = split_key(arg, 3, "--scores")
        table = {}
        with open(path, newline="", encoding="utf-8") as fh:
            rd = csv.DictReader(fh, delimiter="\t")
            need = {"prediction", "kind", "metric", "normalised"}
            if not rd.fieldnames or not need <= set(rd.fieldnames):
                fail("%s: not a scuot-score table (needs columns %s)" % (path, ", ".join(sorted(need))))
            for r in rd:
                key = (r["prediction"], r["kind"])
                table.setdefault(key, {})[r["metric"]] = r["normalised"]
        for (name, kind), vals in table.items():
            row = [at, t0, t1, name, kind] + [vals.get(m, "NA") for m in METRICS]
            for stage in ("transport", "interpolate"):
                v = logs.get((stage, name, t0, t1)) if kind == "method" else None
                row += ["%.3f" % v[0], "%.3f" % v[1], "%.1f" % v[2]] if v else ["NA", "NA", "NA"]
            rows.append(row)
    head = ["heldout_day", "from", "to", "prediction", "kind"] + ["%s_normalised" % m for m in METRICS]
    for stage in ("transport", "interpolate"):
        head += ["%s_wall_s" % stage, "%s_cpu_s" % stage, "%s_peak_rss_mb" % stage]
    tmp = a.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\t".join(head) + "\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
