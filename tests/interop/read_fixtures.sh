#!/bin/sh
# read_fixtures.sh -- interop: scuot reads h5ad, 10x HDF5 and loom files written by anndata and h5py
# (make_fixtures.py, run now) and every value must agree with what python reported when writing them.
. "$(dirname "$0")/common.sh"
tmp=$bindir/read_fixtures.tmp
rm -rf "$tmp" && mkdir -p "$tmp" || exit 99
if ! "$PY" "$srcdir/make_fixtures.py" "$tmp" 2>"$tmp/make.err"; then
	echo "FAIL: make_fixtures.py could not write the fixtures:"
	cat "$tmp/make.err"
	exit 1
fi
status=0
tab=$(printf '\t')
while IFS=$tab read -r fmt file arg exp warn; do
	[ "$arg" = - ] && arg=
	got=$tmp/$exp.got
	if ! "$bindir/scuot_h5dump" "$fmt" "$tmp/$file" $arg >"$got" 2>"$got.err"; then
		echo "FAIL $file: scuot_h5dump $fmt $file $arg failed:"
		cat "$got.err"
		status=1
		continue
	fi
	"$PY" "$srcdir/check_dump.py" "$tmp/$exp" "$got" || status=1
	if [ "$warn" != - ] && ! grep -q "$warn" "$got.err"; then
		echo "FAIL $file: expected a warning naming $warn; stderr was:"
		cat "$got.err"
		status=1
	fi
done <"$tmp/manifest.tsv"
[ $status = 0 ] && rm -rf "$tmp"
exit $status
