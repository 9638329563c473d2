#!/bin/sh
# simulate.sh -- command-line tests of scuot-simulate: help, usage errors, outputs, same outputs on a
# second run and at --threads 1 and 2.  Needs top_builddir; PYTHON3 (h5py, anndata) is optional.
set -u
bin=${top_builddir:-.}/scuot-simulate
py=${PYTHON3:-/usr/bin/python3}
tmp=${TMPDIR:-/tmp}/scuot-simulate.$$.tmp
fail=0
trap 'rm -rf "$tmp"' EXIT INT TERM
rm -rf "$tmp"
mkdir -p "$tmp" || exit 1

bad() {
	echo "FAIL: $*"
	fail=1
}

# expect STATUS CMD...: run CMD with stdout in $tmp/out and stderr in $tmp/err; check its status.
expect() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		bad "'$*' exited $got, expected $want; stderr:"
		sed 's/^/    /' "$tmp/err"
	fi
}

# --help: usage on stdout, every group, defaults from the options struct, status 0
expect 0 "$bin" --help
grep -q '^Usage: scuot-simulate' "$tmp/out" || bad "--help prints no Usage line on stdout"
for want in '--days LIST' '[0,2,4,6,8]' '--cells N|LIST' '[300]' '--growth-contrast C' \
	'--dispersion PHI' '--threads N' 'Example:'; do
	grep -qF -- "$want" "$tmp/out" || bad "--help does not show '$want'"
done
expect 0 "$bin" -h
expect 0 "$bin" --version
grep -q '^scuot ' "$tmp/out" || bad "--version prints no version"

# usage errors: status 2 and a message naming the problem
expect 2 "$bin" --bogus -o "$tmp/x"
grep -q "unknown option '--bogus'" "$tmp/err" || bad "unknown option not named: $(cat "$tmp/err")"
expect 2 "$bin"
grep -q 'give -o DIR' "$tmp/err" || bad "missing -o not reported: $(cat "$tmp/err")"
expect 2 "$bin" -o "$tmp/x" extra
expect 2 "$bin" -o
expect 2 "$bin" --genes abc -o "$tmp/x"
grep -q -- '--genes' "$tmp/err" || bad "bad --genes not named: $(cat "$tmp/err")"
expect 2 "$bin" --cells 0 -o "$tmp/x"
expect 2 "$bin" --days 4,2 -o "$tmp/x"
grep -q -- '--days' "$tmp/err" || bad "decreasing --days not named: $(cat "$tmp/err")"
expect 2 "$bin" --days 0,1 --cells 5,6,7 -o "$tmp/x"
expect 2 "$bin" --lineages 1 -o "$tmp/x"
expect 2 "$bin" --dt 0.5 -o "$tmp/x"
expect 2 "$bin" --dropout 2 -o "$tmp/x"
expect 2 "$bin" --cells 400 --particles 1000 -o "$tmp/x"
grep -q -- '--particles' "$tmp/err" || bad "too few particles not explained: $(cat "$tmp/err")"
[ -e "$tmp/x" ] && bad "a usage error left $tmp/x behind"
# runtime error: the output directory cannot be made
expect 1 "$bin" --days 0 --cells 10 --genes 20 --particles 100 -o "$tmp/no/such/dir"

# a small run writes every output
small="--seed 3 --days 0,1,2.5 --cells 40,50,60 --genes 120 --prolif-genes 12 --lineages 3 --particles 1000
 --mc-paths 5 -q"
# shellcheck disable=SC2086
expect 0 "$bin" $small --threads 1 -o "$tmp/a"
for f in counts.h5ad counts/matrix.mtx.gz counts/features.tsv.gz counts/barcodes.tsv.gz \
	cell_days.tsv truth.tsv genes_truth.tsv; do
	[ -s "$tmp/a/$f" ] || bad "no $f in the output directory"
done
n=$(wc -l <"$tmp/a/cell_days.tsv")
[ "$n" -eq 151 ] || bad "cell_days.tsv has $n lines, expected 151"
head=$(head -n 1 "$tmp/a/cell_days.tsv")
[ "$head" = "$(printf 'id\tday')" ] || bad "cell_days.tsv header: $head"
[ "$(wc -l <"$tmp/a/genes_truth.tsv")" -eq 121 ] || bad "genes_truth.tsv does not have 121 lines"
nprol=$(awk -F'\t' 'NR > 1 && $4 == 1' "$tmp/a/genes_truth.tsv" | wc -l)
[ "$nprol" -eq 12 ] || bad "genes_truth.tsv marks $nprol proliferation genes, expected 12"
ndays=$(cut -f 2 "$tmp/a/cell_days.tsv" | sed 1d | sort -u | tr '\n' ' ')
[ "$ndays" = "0 1 2.5 " ] || bad "cell_days.tsv days are '$ndays', expected '0 1 2.5 '"
nlast=$(awk -F'\t' 'NR > 1 && $2 == 2.5 && $(NF - 1) == "NaN"' "$tmp/a/truth.tsv" | wc -l)
[ "$nlast" -eq 60 ] || bad "truth.tsv: $nlast of 60 last-day cells have expected_descendants NaN"
n=$(gzip -dc "$tmp/a/counts/barcodes.tsv.gz" | wc -l)
[ "$n" -eq 150 ] || bad "barcodes.tsv.gz lists $n cells, expected 150"

# the same run again, and at --threads 2: identical outputs
# shellcheck disable=SC2086
expect 0 "$bin" $small --threads 1 -o "$tmp/b"
# shellcheck disable=SC2086
expect 0 "$bin" $small --threads 2 -o "$tmp/c"

# h5eq A B: the h5ad files hold the same datasets and attributes, apart from the provenance in uns/scuot
# (command line and thread count).  Without h5py the decompressed matrix files stand in.
have_h5py=no
"$py" -c 'import h5py, numpy' 2>/dev/null && have_h5py=yes
h5eq() {
	"$py" - "$1" "$2" <<'EOF'
import sys
import h5py
import numpy as np

def items(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if name.startswith("uns/scuot"):
                return
            attrs = {k: np.asarray(v).tolist() for k, v in obj.attrs.items()}
            data = obj[()] if isinstance(obj, h5py.Dataset) else None
            out[name] = (attrs, data)
        f.visititems(visit)
        out["/"] = ({k: np.asarray(v).tolist() for k, v in f.attrs.items()}, None)
    return out

a, b = items(sys.argv[1]), items(sys.argv[2])
if a.keys() != b.keys():
    sys.exit("objects differ: %s" % sorted(set(a) ^ set(b)))
for k in a:
    if a[k][0] != b[k][0]:
        sys.exit("%s: attributes differ" % k)
    x, y = a[k][1], b[k][1]
    if x is None:
        continue
    x, y = np.asarray(x), np.asarray(y)
    same = x.shape == y.shape and (np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f"
                                   else np.array_equal(x, y))
    if not same:
        sys.exit("%s: values differ" % k)
EOF
}

for run in b c; do
	for f in cell_days.tsv truth.tsv genes_truth.tsv; do
		cmp -s "$tmp/a/$f" "$tmp/$run/$f" || bad "$f differs between run a and run $run"
	done
	for f in matrix.mtx.gz features.tsv.gz barcodes.tsv.gz; do
		if ! gzip -dc "$tmp/a/counts/$f" >"$tmp/1" || ! gzip -dc "$tmp/$run/counts/$f" >"$tmp/2"; then
			bad "counts/$f of run a or $run does not decompress"
		elif ! cmp -s "$tmp/1" "$tmp/2"; then
			bad "counts/$f differs (decompressed) between run a and run $run"
		fi
	done
	if [ $have_h5py = yes ]; then
		h5eq "$tmp/a/counts.h5ad" "$tmp/$run/counts.h5ad" ||
			bad "counts.h5ad content differs between run a and $run"
	fi
done
[ $have_h5py = yes ] || echo "note: $py has no h5py; counts.h5ad compared through the 10x matrix files only"

# another seed gives other data
# shellcheck disable=SC2086
expect 0 "$bin" $small --seed 4 -o "$tmp/d"
cmp -s "$tmp/a/truth.tsv" "$tmp/d/truth.tsv" && bad "--seed 3 and --seed 4 wrote the same truth.tsv"

# anndata reads the h5ad with the documented columns
if "$py" -c 'import anndata' 2>/dev/null; then
	"$py" - "$tmp/a/counts.h5ad" <<'EOF' || bad "anndata cannot read counts.h5ad as documented"
import sys
import anndata
import numpy as np

a = anndata.read_h5ad(sys.argv[1])
assert a.shape == (150, 120), a.shape
for c in ("day", "lineage", "growth_rate", "birth_rate", "death_rate", "expected_descendants",
          "prolif_program", "branch_progress", "library_size"):
    assert c in a.obs.columns, c
assert str(a.obs["lineage"].dtype) == "category", a.obs["lineage"].dtype
assert list(a.obs["lineage"].cat.categories) == ["progenitor", "A", "B", "C"]
assert a.var["is_proliferation_gene"].dtype == bool and a.var["is_proliferation_gene"].sum() == 12
assert a.obsm["X_latent"].shape == (150, 3)
x = a.X.toarray()
assert np.all(x == np.round(x)) and x.min() >= 0
assert np.allclose(a.obs["growth_rate"], a.obs["birth_rate"] - a.obs["death_rate"])
EOF
fi

[ $fail = 0 ] && echo "simulate.sh: all checks passed"
exit $fail
