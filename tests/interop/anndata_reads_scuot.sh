#!/bin/sh
# anndata_reads_scuot.sh -- interop: anndata reads the h5ad files scuot writes (a sample with every column type,
# and files anndata wrote, read and rewritten by scuot); check_written.py checks every value and dtype.
. "$(dirname "$0")/common.sh"
tmp=$bindir/anndata_reads_scuot.tmp
rm -rf "$tmp" && mkdir -p "$tmp" || exit 99
status=0
for variant in plain nullable-string; do
	arg=
	[ $variant = plain ] || arg=$variant
	if ! "$bindir/scuot_h5dump" sample "$tmp/$variant.h5ad" $arg >"$tmp/$variant.json" 2>"$tmp/$variant.err"; then
		echo "FAIL: scuot could not write the $variant sample:"
		cat "$tmp/$variant.err"
		status=1
		continue
	fi
	"$PY" "$srcdir/check_written.py" sample "$tmp/$variant.h5ad" "$tmp/$variant.json" $arg || status=1
done
if ! "$PY" "$srcdir/make_fixtures.py" "$tmp" 2>"$tmp/make.err"; then
	echo "FAIL: make_fixtures.py could not write the fixtures:"
	cat "$tmp/make.err"
	exit 1
fi
for kind in csr csc dense; do
	if ! "$bindir/scuot_h5dump" copy "$tmp/ad_$kind.h5ad" "$tmp/copy_$kind.h5ad" >/dev/null 2>"$tmp/copy.err"; then
		echo "FAIL: scuot could not copy ad_$kind.h5ad:"
		cat "$tmp/copy.err"
		status=1
		continue
	fi
	"$PY" "$srcdir/check_written.py" copy "$tmp/ad_$kind.h5ad" "$tmp/copy_$kind.h5ad" || status=1
done
[ $status = 0 ] && rm -rf "$tmp"
exit $status
