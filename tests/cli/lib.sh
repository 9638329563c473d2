# tests/cli/lib.sh -- shared helpers of the command-line tests (sourced, POSIX sh).
# Each check prints one line; the script exits non-zero if any failed.
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
BIN=$top_builddir
PYTHON3=${PYTHON3:-/usr/bin/python3}
pass=0
fail=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/scuot-cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { pass=$((pass + 1)); echo "ok: $1"; }
not_ok() { fail=$((fail + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'; }

# run_expect NAME STATUS PATTERN OUTPUT CMD...: run CMD, expect exit STATUS and stderr matching the
# extended regex PATTERN ("" = anything); if OUTPUT is not "-", it must not exist afterwards (for
# failures) or must exist (for status 0), and no temporary may be left beside it.
run_expect() {
	name=$1 want=$2 pat=$3 out=$4
	shift 4
	[ "$out" != - ] && [ "$want" != 0 ] && rm -f "$out"
	"$@" >"$WORK/stdout" 2>"$WORK/stderr"
	got=$?
	msg=$(cat "$WORK/stderr")
	if [ "$got" != "$want" ]; then
		not_ok "$name: exit status $got, expected $want" "$msg"
		return
	fi
	if [ -n "$pat" ] && ! grep -E -q -- "$pat" "$WORK/stderr"; then
		not_ok "$name: message does not match /$pat/" "$msg"
		return
	fi
	if [ "$out" != - ]; then
		if [ "$want" != 0 ] && [ -e "$out" ]; then
			not_ok "$name: output $out exists after a failure"
			return
		fi
		if [ "$want" = 0 ] && [ ! -s "$out" ]; then
			not_ok "$name: output $out missing"
			return
		fi
		dir=$(dirname "$out")
		if ls -a "$dir" | grep -q '\.tmp'; then
			not_ok "$name: temporary file left in $dir" "$(ls -a "$dir")"
			return
		fi
	fi
	ok "$name"
	[ -n "${VERBOSE:-}" ] && [ -s "$WORK/stderr" ] && tail -1 "$WORK/stderr" | sed "s/^/    /"
}

# beats_in_emd SCORES METHOD BASELINE...: one check per baseline that METHOD's normalised EMD (scuot-score's TSV:
# prediction in column 1, metric in 3, normalised in 6) is below the baseline's.
beats_in_emd() {
	scores=$1 m=$2
	shift 2
	for b in "$@"; do
		r=$(awk -F'\t' -v m="$m" -v b="$b" '$3 == "emd" && $1 == m { x = $6 } $3 == "emd" && $1 == b { y = $6 }
			END { if (x == "" || y == "") print "missing"
			      else if (x + 0 < y + 0) print "ok " x " < " y; else print "no " x " >= " y }' "$scores")
		case $r in
		ok*) ok "$m beats $b in normalised EMD (${r#ok })" ;;
		*) not_ok "$m beats $b in normalised EMD: $r" "$(cat "$scores")" ;;
		esac
	done
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
