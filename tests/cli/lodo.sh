# tests/cli/lodo.sh -- leave-one-day-out through the command line on data/example: PCA fitted on days 2 and 6
# only, uot and wfr couplings 2 -> 6, populations interpolated at day 4 and scored against the held-out day-4
# cells.  Both must beat every trivial baseline (source, target, 50/50 union) and the independent coupling
# in normalised EMD.
. "${top_srcdir:-.}/tests/cli/lib.sh"
EX=$top_srcdir/data/example
"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -o "$WORK/cells.h5ad" &&
	"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 500 -o "$WORK/norm.h5ad" &&
	"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 30 --fit-days 2,6 -o "$WORK/pca.h5ad" ||
	{ not_ok "make the input"; finish; exit 1; }
for m in uot wfr; do
	run_expect "$m 2 -> 6" 0 "" "$WORK/$m.h5" "$BIN/scuot-transport" --method $m --from 2 --to 6 "$WORK/pca.h5ad" \
		-o "$WORK/$m.h5"
	run_expect "$m at day 4" 0 "" "$WORK/$m.h5ad" "$BIN/scuot-interpolate" --at 4 -n 3000 "$WORK/$m.h5" \
		-o "$WORK/$m.h5ad"
done
run_expect "score day 4" 0 "" "$WORK/scores.tsv" "$BIN/scuot-score" --truth "$WORK/pca.h5ad" --from 2 --at 4 --to 6 \
	--metrics emd,mmd_rff "$WORK/uot.h5ad" "$WORK/wfr.h5ad" -o "$WORK/scores.tsv"
[ -n "${VERBOSE:-}" ] && column -t "$WORK/scores.tsv"
# normalised EMD of each method against each trivial baseline
for m in uot wfr; do
	beats_in_emd "$WORK/scores.tsv" $m source target union independent
done
finish
