# tests/cli/report_render.sh -- renders the report of data/example in headless Chromium and checks the
# screenshot is not blank (tests/cli/png_check.py decodes the PNG with zlib and counts colours and inked
# pixels).  Skipped (77) when chromium is not installed (Debian package chromium).
. "${top_srcdir:-.}/tests/cli/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium not installed (apt-get install chromium)"
	exit 77
fi
. "$top_srcdir/tests/cli/report_input.sh"
make_report_inputs || { not_ok "make the input"; finish; exit 1; }
# shellcheck disable=SC2086
run_expect "report" 0 "" "$WORK/report.html" "$BIN/scuot-report" $REPORT_ARGS -o "$WORK/report.html"
# its own profile and no network: the page must render from the file alone
HOME=$WORK timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	--user-data-dir="$WORK/profile" --screenshot="$WORK/shot.png" --window-size=1200,3000 \
	"file://$WORK/report.html" >"$WORK/chromium.log" 2>&1
if [ -s "$WORK/shot.png" ]; then
	ok "chromium wrote a screenshot"
else
	not_ok "chromium wrote a screenshot" "$(tail -5 "$WORK/chromium.log")"
fi
if "$PYTHON3" "$top_srcdir/tests/cli/png_check.py" "$WORK/shot.png" >"$WORK/png.out" 2>&1; then
	ok "screenshot is not blank ($(cat "$WORK/png.out"))"
else
	not_ok "screenshot is not blank" "$(cat "$WORK/png.out")"
fi
# and a blank page is caught by the same check
printf '<!DOCTYPE html><html><body></body></html>\n' >"$WORK/blank.html"
HOME=$WORK timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
	--user-data-dir="$WORK/profile" --screenshot="$WORK/blank.png" --window-size=400,300 \
	"file://$WORK/blank.html" >/dev/null 2>&1
if "$PYTHON3" "$top_srcdir/tests/cli/png_check.py" "$WORK/blank.png" >/dev/null 2>&1; then
	not_ok "a blank page fails the check"
else
	ok "a blank page fails the check"
fi
finish
