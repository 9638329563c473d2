# tests/cli/uotgen_bayes.sh -- scuot-uotgen on the swfr paper's Bayesian example (Sec. 6.3, tests/cli/bernoulli.py):
# prior samples x0 ~ N(0.5, 1) weighted by the likelihood of 50 noisy observations of the Bernoulli equation
# (dt = 1) train UOT-gen (Algorithm 2); the weighted samples it generates from N(0, I) must match the analytic
# posterior (quadrature) in mean and sd within 5%.  8192 prior samples, not the paper's 2048: with 2048 the
# weighted prior's own Monte Carlo error of the mean is 2.7% of it (effective sample size about 1000), too much
# of a 5% tolerance; the training cost does not depend on the number of samples (minibatches of 512).
# Then the online algorithm (Algorithm 3, dt = 0.1, m = 5): the posterior after D_1..D_5, and after D_6..D_10 by
# reweighting the generated samples with the new likelihood and training the model on from where it was; both
# within 5%.  Bad inputs: exit 2, a message, no output.
. "${top_srcdir:-.}/tests/cli/lib.sh"
BERN="$PYTHON3 $top_srcdir/tests/cli/bernoulli.py"
UG=$BIN/scuot-uotgen
BUDGET=${UOTGEN_BUDGET:---iters 1500}
QUICK=${SCUOT_TEST_QUICK:-}
# SCUOT_TEST_QUICK (set by .ci/run for the sanitizer build): every step on 20 iterations, the accuracy not checked
[ -n "$QUICK" ] && BUDGET="--iters 20"
check() { # NAME GENERATED OBS DT (bernoulli.py check exits 3 when only the tolerance is missed)
	out=$($BERN check "$2" --dt "$4" --obs "$3" 2>&1)
	case $?/$QUICK in
	0/*) ok "$1: $out" ;;
	3/?*) ok "$1: accuracy not checked on the quick budget ($out)" ;;
	*) not_ok "$1" "$out" ;;
	esac
}
# The Sec. 6.3 model trains on one core while the online chain below runs on the other (the matrices are
# n x 32: a second BLAS thread on the same model costs more than it gives).
$BERN prior "$WORK/prior.tsv" --dt 1 --obs 1:50 --n 8192 || { not_ok "make the prior samples"; finish; exit 1; }
mkdir -p "$WORK/bg" # its own directory: the temporary of its output must not meet the checks below
"$UG" train --threads 1 $BUDGET --log-weight-column loglik "$WORK/prior.tsv" -o "$WORK/bg/post.h5" \
	>"$WORK/sec63.out" 2>&1 &
sec63=$!
# Algorithm 3: posterior after D_1..D_5, then D_6..D_10 added online
$BERN prior "$WORK/prior5.tsv" --dt 0.1 --obs 1:5 --n 8192 --seed 2 || not_ok "make the prior samples (dt 0.1)"
run_expect "online: train on D_1..D_5 (dt 0.1)" 0 "" "$WORK/on1.h5" "$UG" train --threads 1 $BUDGET \
	--log-weight-column loglik "$WORK/prior5.tsv" -o "$WORK/on1.h5"
run_expect "online: generate after D_1..D_5" 0 "" "$WORK/on1.tsv" "$UG" sample --seed 4 "$WORK/on1.h5" \
	-n 20000 -o "$WORK/on1.tsv"
check "online posterior after D_1..D_5" "$WORK/on1.tsv" 1:5 0.1
"$UG" sample -q --seed 5 "$WORK/on1.h5" -n 8192 -o "$WORK/draw1.tsv" &&
	$BERN loglik "$WORK/draw1.tsv" "$WORK/draw1l.tsv" --dt 0.1 --obs 6:10 ||
	not_ok "reweight the generated samples by the likelihood of D_6..D_10"
run_expect "online: update with D_6..D_10 (--init)" 0 "continuing the model's training" "$WORK/on2.h5" "$UG" \
	train -v --threads 1 $BUDGET --init "$WORK/on1.h5" --weight-column weight --log-weight-column loglik \
	"$WORK/draw1l.tsv" -o "$WORK/on2.h5"
run_expect "online: generate after D_1..D_10" 0 "" "$WORK/on2.tsv" "$UG" sample --seed 6 "$WORK/on2.h5" \
	-n 20000 -o "$WORK/on2.tsv"
check "online posterior after D_1..D_10 (Algorithm 3)" "$WORK/on2.tsv" 1:10 0.1
wait $sec63
if [ $? = 0 ] && [ -s "$WORK/bg/post.h5" ] && ! ls -a "$WORK/bg" | grep -q "\.tmp"; then
	ok "train on the weighted prior (dt 1, D_1..D_50)"
else
	not_ok "train on the weighted prior (dt 1, D_1..D_50)" "$(cat "$WORK/sec63.out")"
fi
run_expect "generate 20000 weighted samples" 0 "effective sample size" "$WORK/gen.tsv" "$UG" sample -v \
	--seed 3 "$WORK/bg/post.h5" -n 20000 -o "$WORK/gen.tsv"
check "Sec. 6.3 posterior" "$WORK/gen.tsv" 1:50 1
# without the update the model still describes the old posterior: the check must fail there
if [ -n "$QUICK" ]; then
	ok "the posterior before the update: not compared on the quick budget"
elif $BERN check "$WORK/on1.tsv" --dt 0.1 --obs 1:10 >"$WORK/stale.txt" 2>&1 || [ $? != 3 ]; then
	not_ok "the posterior before the update differs from the one after" "$(cat "$WORK/stale.txt")"
else
	ok "the posterior before the update differs from the one after ($(sed 's/.*relative errors/relative errors/' \
		"$WORK/stale.txt"))"
fi
# bad inputs
printf 'id\tx0\tloglik\na\t0.1\t-1\nb\tNA\t-2\n' >"$WORK/nan.tsv"
printf 'id\tx0\tw\na\t0.1\t1\nb\t0.2\t-2\n' >"$WORK/neg.tsv"
printf 'id\tx0\tw\na\t0.1\t0\nb\t0.2\t0\n' >"$WORK/zero.tsv"
printf 'id\tx0\tx1\na\t0.1\t1\nb\t0.2\t2\n' >"$WORK/twod.tsv"
run_expect "a missing coordinate" 2 "nan.tsv: sample 'b', column 'x0' is missing or NaN" "$WORK/bad.h5" "$UG" \
	train --iters 1 --log-weight-column loglik "$WORK/nan.tsv" -o "$WORK/bad.h5"
run_expect "a negative weight" 2 "neg.tsv: sample 'b' has weight -2" "$WORK/bad.h5" "$UG" train --iters 1 \
	--weight-column w "$WORK/neg.tsv" -o "$WORK/bad.h5"
run_expect "all weights 0" 2 "zero.tsv: every sample has weight 0" "$WORK/bad.h5" "$UG" train --iters 1 \
	--weight-column w "$WORK/zero.tsv" -o "$WORK/bad.h5"
run_expect "no such weight column" 2 "prior.tsv: no column 'lik' \(--weight-column\)" "$WORK/bad.h5" "$UG" train \
	--iters 1 --weight-column lik "$WORK/prior.tsv" -o "$WORK/bad.h5"
run_expect "no such coordinate" 2 "no column 'theta' \(--columns\)" "$WORK/bad.h5" "$UG" train --iters 1 \
	--columns theta "$WORK/prior.tsv" -o "$WORK/bad.h5"
run_expect "--init with other dimensions" 2 "twod.tsv: 2 coordinates, but the model .*post.h5 has 1" \
	"$WORK/bad.h5" "$UG" train --iters 1 --init "$WORK/bg/post.h5" "$WORK/twod.tsv" -o "$WORK/bad.h5"
run_expect "--init with another column" 2 "coordinate 1 is 'x1', but the model .* was trained on 'x0'" \
	"$WORK/bad.h5" "$UG" train --iters 1 --init "$WORK/bg/post.h5" --columns x1 "$WORK/twod.tsv" -o "$WORK/bad.h5"
run_expect "--init with a model setting" 2 "--alpha would change the model given by --init" "$WORK/bad.h5" "$UG" \
	train --alpha 2 --init "$WORK/bg/post.h5" "$WORK/prior.tsv" -o "$WORK/bad.h5"
run_expect "--init of a table" 2 "prior.tsv" "$WORK/bad.h5" "$UG" train --iters 1 --init "$WORK/prior.tsv" \
	"$WORK/prior.tsv" -o "$WORK/bad.h5"
run_expect "sample from a table" 2 "prior.tsv" "$WORK/bad.tsv" "$UG" sample "$WORK/prior.tsv" -n 5 \
	-o "$WORK/bad.tsv"
run_expect "sample without -n" 2 "how many samples" "$WORK/bad.tsv" "$UG" sample "$WORK/bg/post.h5" -o "$WORK/bad.tsv"
run_expect "--alpha out of range" 2 "--alpha 0 is out of range" "$WORK/bad.h5" "$UG" train --alpha 0 \
	"$WORK/prior.tsv" -o "$WORK/bad.h5"
run_expect "no mode" 2 "say what to do first" - "$UG" "$WORK/prior.tsv" -o "$WORK/bad.h5"
run_expect "a missing input" 2 "nothere.tsv" "$WORK/bad.h5" "$UG" train "$WORK/nothere.tsv" -o "$WORK/bad.h5"
finish
