# common.sh -- sourced by the interop tests: find python and the helpers; skip, or fail, without anndata.
# The tests skip (exit 77) only when python lacks anndata/h5py/numpy/scipy/pandas and SCUOT_REQUIRE_INTEROP is
# unset (or 0); with SCUOT_REQUIRE_INTEROP=1 a missing module is a failure.
PY=${PYTHON3:-}
[ -n "$PY" ] || PY=/usr/bin/python3
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop
bindir=${top_builddir:-.}/tests/interop
if ! "$PY" -c 'import anndata, h5py, numpy, scipy, pandas' >/dev/null 2>&1; then
	case ${SCUOT_REQUIRE_INTEROP:-} in
	'' | 0)
		echo "SKIP: $PY cannot import anndata, h5py, numpy, scipy and pandas (apt-get install python3-anndata" \
		     "python3-h5py); set SCUOT_REQUIRE_INTEROP=1 to make this a failure"
		exit 77 ;;
	*)
		echo "FAIL: SCUOT_REQUIRE_INTEROP is set but $PY cannot import anndata, h5py, numpy, scipy and pandas"
		"$PY" -c 'import anndata, h5py, numpy, scipy, pandas'
		exit 1 ;;
	esac
fi
if [ ! -x "$bindir/scuot_h5dump" ]; then
	echo "FAIL: $bindir/scuot_h5dump is missing (run make check)"
	exit 99
fi
