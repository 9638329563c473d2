# tests/cli/report_input.sh -- sourced by the report tests: the inputs of a report on data/example (day 4 held
# out of a PCA fitted on days 2 and 6; uot and emd; growth genes of 2 -> 4) in $WORK, and the report itself.
EX=$top_srcdir/data/example
make_report_inputs() {
	"$BIN/scuot-ingest" -q "$EX/counts.h5ad" -d "$EX/cell_days.tsv" -o "$WORK/cells.h5ad" &&
		"$BIN/scuot-normalize" -q "$WORK/cells.h5ad" --n-top-genes 300 -o "$WORK/norm.h5ad" &&
		"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 20 --fit-days 2,6 -o "$WORK/pca26.h5ad" &&
		"$BIN/scuot-pca" -q "$WORK/norm.h5ad" -k 20 --fit-days 2,4 -o "$WORK/pca24.h5ad" &&
		for m in uot emd; do
			"$BIN/scuot-transport" -q --method $m --from 2 --to 6 "$WORK/pca26.h5ad" -o "$WORK/${m}_2_6.h5" &&
				"$BIN/scuot-transport" -q --method $m --from 2 --to 4 "$WORK/pca24.h5ad" -o "$WORK/${m}_2_4.h5" &&
				"$BIN/scuot-interpolate" -q --at 4 -n 1000 "$WORK/${m}_2_6.h5" -o "$WORK/${m}_at4.h5ad" || return 1
		done &&
		"$BIN/scuot-score" -q --truth "$WORK/pca26.h5ad" --from 2 --at 4 --to 6 "$WORK/uot_at4.h5ad" \
			"$WORK/emd_at4.h5ad" -o "$WORK/scores4.tsv" &&
		"$BIN/scuot-rank" -q "$WORK/uot_2_4.h5" "$WORK/emd_2_4.h5" --expr "$WORK/norm.h5ad" -o "$WORK/cells.tsv" \
			--genes "$WORK/genes.tsv" &&
		printf 'methods: [uot, emd]\nnote: "<b>not bold</b> & co"\n' >"$WORK/config.yaml"
}
REPORT_ARGS="--heldout 2,4,6 --scores $WORK/scores4.tsv --truth $WORK/pca26.h5ad --pred $WORK/uot_at4.h5ad
	--pred $WORK/emd_at4.h5ad --result $WORK/uot_2_4.h5 --result $WORK/emd_2_4.h5 --genes $WORK/genes.tsv
	--config $WORK/config.yaml --meta seed=0"
