# tests/cli/workflow.sh -- pipeline/Snakefile on data/example with uot and emd: a dry run, a real run with
# -j2 (evaluation table with every method and baseline, timings and memory from the rule logs; the report),
# and configurations refused at parse time before anything runs (unknown method, day not in the data,
# held-out first day).  Skipped (77) without snakemake (Debian package snakemake).
. "${top_srcdir:-.}/tests/cli/lib.sh"
if ! command -v snakemake >/dev/null 2>&1; then
	echo "SKIP: snakemake not installed (apt-get install snakemake)"
	exit 77
fi
EX=$top_srcdir/data/example
SM="snakemake -s $top_srcdir/pipeline/Snakefile --directory $WORK"
CONF="counts=$EX/counts.h5ad cell_days=$EX/cell_days.tsv bin_dir=$BIN outdir=res report_dir=rep annotate=[lineage]"
# shellcheck disable=SC2086
run_expect "dry run" 0 "" - $SM -n --config $CONF 'methods=[uot,emd]'
if grep -q 'transport *14' "$WORK/stdout" && grep -q 'score *3' "$WORK/stdout"; then
	ok "dry run plans 14 transports (4 consecutive + 3 leave-one-out pairs, 2 methods) and 3 scores"
else
	not_ok "dry run plan" "$(cat "$WORK/stdout")"
fi
[ -e "$WORK/res" ] && not_ok "dry run wrote nothing" || ok "dry run wrote nothing"
# shellcheck disable=SC2086
run_expect "run -j2" 0 "" "$WORK/rep/report.html" $SM -j2 --config $CONF 'methods=[uot,emd]'
E=$WORK/rep/evaluation.tsv
rows=$(awk -F'\t' 'NR > 1' "$E" | wc -l)
[ "$rows" -eq 18 ] && ok "evaluation: 3 held-out days x (2 methods + 4 baselines)" || not_ok "evaluation rows: $rows" \
	"$(cat "$E")"
r=$(awk -F'\t' 'NR > 1 && $5 == "method" && ($6 == "NA" || $8 == "NA" || $10 == "NA" || $12 == "NA") { print $4 }' "$E")
[ -z "$r" ] && ok "every method has normalised MMD, EMD, wall time and peak memory" || not_ok "missing values: $r"
for f in res/logs/transport/uot_2_4.log res/logs/rank/rank_2_4.log res/logs/report.log; do
	grep -q 'done: .* s wall' "$WORK/$f" && ok "log $f" || not_ok "log $f"
done
grep -q 'Day 6 held out' "$WORK/rep/report.html" && ok "report has day 6" || not_ok "report has day 6"
# a rerun has nothing to do
# shellcheck disable=SC2086
run_expect "rerun is a no-op" 0 "" - $SM -j2 -n --config $CONF 'methods=[uot,emd]'
grep -q 'Nothing to be done' "$WORK/stdout" "$WORK/stderr" && ok "nothing to be done" || not_ok "nothing to be done" \
	"$(cat "$WORK/stdout")"
# refused at parse time, before any job
for bad in "methods=[uot,nosuch]|unknown method 'nosuch'.*emd" "methods=[uot] days=[2,5]|day 5 in days is not in the data" \
	"methods=[uot] heldout=[0]|first or last day" "methods=[uot] top_fraction=1.5|top_fraction"; do
	cfg=${bad%%|*} pat=${bad#*|}
	rm -rf "$WORK/bad"
	# shellcheck disable=SC2086
	run_expect "refused: $cfg" 1 "$pat" - $SM -j2 --config counts=$EX/counts.h5ad cell_days=$EX/cell_days.tsv \
		bin_dir=$BIN outdir=bad report_dir=bad $cfg
	[ -e "$WORK/bad" ] && not_ok "nothing ran for $cfg" || ok "nothing ran for $cfg"
done
finish
