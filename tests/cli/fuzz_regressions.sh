# tests/cli/fuzz_regressions.sh -- inputs that crashed or hung a reader under the fuzzers
# (tests/data/fuzz/README.md) must now fail cleanly: exit 2, the expected message, no output.
. "${top_srcdir:-.}/tests/cli/lib.sh"
I=$BIN/scuot-ingest
F=$top_srcdir/tests/data/fuzz
run_expect "10x HDF5 with a damaged string type" 2 "tenx-string-size.h5: /matrix/barcodes: fixed-length strings of 16711436 bytes" \
	"$WORK/out.h5ad" "$I" "$F/tenx-string-size.h5" -o "$WORK/out.h5ad"
run_expect "transport result whose cost_norm cannot be read" 2 "result-cost-norm.h5: /problem/cost_norm" \
	"$WORK/out.h5ad" "$BIN/scuot-interpolate" --at 0.5 "$F/result-cost-norm.h5" -o "$WORK/out.h5ad"
finish
