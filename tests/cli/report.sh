# tests/cli/report.sh -- scuot-report on data/example: the HTML is one self-contained file (no scripts, no
# external resources), holds the score table with the best value of each column in bold, the figures as
# inline SVG with axes and legends, the growth genes and escaped text; bad inputs exit 2 naming the file.
. "${top_srcdir:-.}/tests/cli/lib.sh"
. "$top_srcdir/tests/cli/report_input.sh"
make_report_inputs || { not_ok "make the input"; finish; exit 1; }
run_expect "help" 0 "" - "$BIN/scuot-report" --help
grep -q '^Usage: scuot-report' "$WORK/stdout" && ok "usage on stdout" || not_ok "usage on stdout"
# shellcheck disable=SC2086
run_expect "report" 0 "" "$WORK/report.html" "$BIN/scuot-report" $REPORT_ARGS -o "$WORK/report.html"
H=$WORK/report.html
has() { if grep -E -q -- "$2" "$H"; then ok "$1"; else not_ok "$1: /$2/ not in the report"; fi; }
hasnt() { if grep -E -q -i -- "$2" "$H"; then not_ok "$1: /$2/ in the report"; else ok "$1"; fi; }
has "doctype" '^<!DOCTYPE html>'
hasnt "no scripts" '<script'
hasnt "no external resources" '(src|href)="(https?:)?//'
has "score table of day 4" 'Day 4 held out'
has "baselines in the table" '<td>independent</td>'
n=$(grep -c '<svg ' "$H")
[ "$n" -eq 4 ] && ok "4 figures (bars, 2 scatter plots, histogram)" || not_ok "svg figures: $n, expected 4"
has "axis labels" '>PC1<'
has "legend" 'class="legend"'
has "scaling histogram" 'scaling factors of the day-2 cells'
has "no particle flows said so" 'None of the 2 transport results is a particle flow'
has "growth genes" 'id="genes"'
has "config escaped" '&lt;b&gt;not bold&lt;/b&gt; &amp; co'
# the best normalised value of each metric column is the one in bold: recompute from scores4.tsv
for m in mmd_rff emd; do
	best=$(awk -F'\t' -v m=$m '$3 == m && (b == "" || $6 + 0 < b + 0) { b = $6 } END { printf "%.4f", b }' \
		"$WORK/scores4.tsv")
	has "best $m in bold ($best)" "<b>$best</b>"
done
# bad inputs
run_expect "missing result file" 2 "nothere_2_4.h5.*--result" "$WORK/bad.html" "$BIN/scuot-report" \
	--heldout 2,4,6 --scores "$WORK/scores4.tsv" --result "$WORK/nothere_2_4.h5" -o "$WORK/bad.html"
run_expect "missing scores file" 2 "gone.tsv.*--scores" "$WORK/bad.html" "$BIN/scuot-report" \
	--heldout 2,4,6 --scores "$WORK/gone.tsv" -o "$WORK/bad.html"
run_expect "scores that are not scuot-score's" 2 "cells.tsv: not a scuot-score table" "$WORK/bad.html" \
	"$BIN/scuot-report" --heldout 2,4,6 --scores "$WORK/cells.tsv" -o "$WORK/bad.html"
run_expect "result that is not a result" 2 "norm.h5ad" "$WORK/bad.html" "$BIN/scuot-report" \
	--result "$WORK/norm.h5ad" -o "$WORK/bad.html"
run_expect "scores before --heldout" 2 "before any --heldout" "$WORK/bad.html" "$BIN/scuot-report" \
	--scores "$WORK/scores4.tsv" -o "$WORK/bad.html"
run_expect "held-out day outside" 2 "strictly between" "$WORK/bad.html" "$BIN/scuot-report" \
	--heldout 2,8,6 --scores "$WORK/scores4.tsv" -o "$WORK/bad.html"
run_expect "heldout without scores" 2 "has no --scores" "$WORK/bad.html" "$BIN/scuot-report" \
	--heldout 2,4,6 -o "$WORK/bad.html"
run_expect "nothing to report" 2 "nothing to report" "$WORK/bad.html" "$BIN/scuot-report" -o "$WORK/bad.html"
finish
