# tests/cli/ingest.sh -- scuot-ingest on small inputs of every format, and every bad input of the
# foundation issue: message, exit status 2 and no output file afterwards.
. "${top_srcdir:-.}/tests/cli/lib.sh"
I=$BIN/scuot-ingest
D=$WORK/tenx
mkdir -p "$D"
# 5 genes x 4 cells, entries sorted by cell as Cell Ranger writes them
cat >"$D/matrix.mtx" <<'MTX'
%%MatrixMarket matrix coordinate integer general
%metadata_json: {"software_version": "test"}
5 4 7
1 1 3
4 1 1
2 2 5
5 2 2
3 3 1
1 4 4
5 4 7
MTX
printf 'ENSG1\tA1\tGene Expression\nENSG2\tB2\tGene Expression\nENSG3\tC3\tGene Expression\nENSG4\tD4\tGene Expression\nENSG5\tE5\tGene Expression\n' >"$D/features.tsv"
printf 'AAAC-1\nAAAG-1\nAAAT-1\nAACA-1\n' >"$D/barcodes.tsv"
printf 'id\tday\tbatch\nAAAC-1\t0\tb1\nAAAG-1\t0\tb1\nAAAT-1\t2\tb2\nAACA-1\t2.5\tb2\n' >"$WORK/days.tsv"
cp -r "$D" "$WORK/tenxgz"
gzip "$WORK/tenxgz/"*
O=$WORK/out

# --- usage ---
run_expect "help" 0 "" - "$I" --help
grep -q '^Usage: scuot-ingest' "$WORK/stdout" && ok "help on stdout" || not_ok "help on stdout"
run_expect "version" 0 "" - "$I" --version
grep -q '^scuot [0-9]' "$WORK/stdout" && ok "version line" || not_ok "version line" "$(cat "$WORK/stdout")"
run_expect "no input" 2 "no INPUT" - "$I" -o "$O.h5ad"
run_expect "no output" 2 "no output" - "$I" "$D"
run_expect "unknown option" 2 "unknown option" - "$I" --bogus "$D" -o "$O.h5ad"
run_expect "bad threads" 2 "--threads" - "$I" --threads 0 "$D" -o "$O.h5ad"
run_expect "bad format" 2 "unknown format" - "$I" -f xls "$D" -o "$O.h5ad"
run_expect "no days given" 2 "no cell days" "$O.h5ad" "$I" "$D" -o "$O.h5ad"

# --- good inputs ---
run_expect "mtx dir" 0 "read 4 cells x 5 genes, 7 nonzero" "$O.h5ad" "$I" "$D" -d "$WORK/days.tsv" -o "$O.h5ad"
run_expect "mtx dir gz" 0 "read 4 cells x 5 genes, 7 nonzero" "$O.gz.h5ad" "$I" "$WORK/tenxgz" -d "$WORK/days.tsv" -o "$O.gz.h5ad"
run_expect "h5ad round trip" 0 "read 4 cells x 5 genes, 7 nonzero" "$O.2.h5ad" "$I" "$O.h5ad" -o "$O.2.h5ad"
cp "$O.h5ad" "$WORK/cells.dat"
run_expect "h5ad told by its layout, not its name" 0 "read 4 cells x 5 genes, 7 nonzero" "$O.dat.h5ad" "$I" "$WORK/cells.dat" -o "$O.dat.h5ad"
printf 'not a matrix\n' >"$WORK/unknown.dat"
run_expect "unknown format" 2 "unknown.dat: cannot tell the format; name it with --format" "$O.u.h5ad" "$I" "$WORK/unknown.dat" -o "$O.u.h5ad"
run_expect "keep days" 0 "dropped 2 cells of other days" "$O.kd.h5ad" "$I" "$D" -d "$WORK/days.tsv" --keep-days 0 -o "$O.kd.h5ad"
run_expect "keep days re-read" 0 "read 2 cells x 5 genes, 4 nonzero" "$O.kd2.h5ad" "$I" "$O.kd.h5ad" -o "$O.kd2.h5ad"
printf 'AAAG-1\nAACA-1\nZZZZ-1\n' >"$WORK/cells.txt"
run_expect "cell list" 0 "kept 2 cells, dropped 2 not listed; 1 listed ids name no cell" "$O.cl.h5ad" \
	"$I" "$D" -d "$WORK/days.tsv" --cells "$WORK/cells.txt" -o "$O.cl.h5ad"
run_expect "missing day requested" 2 "no cell has day 7" "$O.x.h5ad" "$I" "$D" -d "$WORK/days.tsv" --keep-days 0,7 -o "$O.x.h5ad"
# cells x genes text (Waddington-OT expression txt) and genes x cells CSV
printf 'id\tA1\tB2\tC3\nc1\t1\t0\t2\nc2\t0\t0\t3\n' >"$WORK/expr.txt"
printf 'id,day\nc1,0\nc2,1\n' >"$WORK/days.csv"
run_expect "text cells x genes" 0 "read 2 cells x 3 genes, 3 nonzero" "$O.t.h5ad" "$I" "$WORK/expr.txt" -d "$WORK/days.csv" -o "$O.t.h5ad"
printf 'gene,c1,c2\nA1,1,0\nB2,0,0\nC3,2,3\n' >"$WORK/expr.csv"
run_expect "text genes x cells" 0 "read 2 cells x 3 genes, 3 nonzero" "$O.t2.h5ad" "$I" "$WORK/expr.csv" -d "$WORK/days.csv" -o "$O.t2.h5ad"

# --- cells and days that do not match ---
printf 'id\tday\nAAAC-1\t0\nAAAG-1\t0\nAAAT-1\t2\nGHOST-1\t3\n' >"$WORK/days_partial.tsv"
run_expect "cell without day dropped" 0 "1 cells of .* are not in .* and were dropped" "$O.p.h5ad" \
	"$I" "$D" -d "$WORK/days_partial.tsv" -o "$O.p.h5ad"
grep -q "1 ids of .* name no cell" "$WORK/stderr" && ok "days-only ids counted" || not_ok "days-only ids counted" "$(cat "$WORK/stderr")"
run_expect "cell without day --strict" 2 "1 of 4 cells of the matrix are not in the table \(first: 'AACA-1'\)" "$O.s.h5ad" \
	"$I" "$D" -d "$WORK/days_partial.tsv" --strict -o "$O.s.h5ad"
printf 'id\tday\nAAAC-1\t0\nAAAG-1\tday0\nAAAT-1\t2\nAACA-1\t2\n' >"$WORK/days_bad.tsv"
run_expect "non-numeric day" 2 "days_bad.tsv: line 3: day 'day0' is not a number" "$O.n.h5ad" \
	"$I" "$D" -d "$WORK/days_bad.tsv" -o "$O.n.h5ad"
printf 'id\tday\nX1\t0\nX2\t1\n' >"$WORK/days_none.tsv"
run_expect "no id matches" 2 "none of its 2 ids names a cell" "$O.z.h5ad" "$I" "$D" -d "$WORK/days_none.tsv" -o "$O.z.h5ad"

# --- bad inputs ---
run_expect "missing input" 2 "nonexistent.*(No such file|cannot read)" "$O.m.h5ad" "$I" "$WORK/nonexistent" -d "$WORK/days.tsv" -o "$O.m.h5ad"
run_expect "missing days file" 2 "nodays.tsv.*No such file" "$O.m.h5ad" "$I" "$D" -d "$WORK/nodays.tsv" -o "$O.m.h5ad"
if [ "$(id -u)" != 0 ]; then
	cp "$WORK/expr.txt" "$WORK/locked.txt"; chmod 000 "$WORK/locked.txt"
	run_expect "unreadable input" 2 "locked.txt.*Permission denied" "$O.m.h5ad" "$I" "$WORK/locked.txt" -d "$WORK/days.csv" -o "$O.m.h5ad"
fi

bad_dir() { rm -rf "$WORK/bad"; cp -r "$D" "$WORK/bad"; }
bad_dir; gzip "$WORK/bad/matrix.mtx"
# flip bytes in the middle of the deflate data
sz=$(wc -c <"$WORK/bad/matrix.mtx.gz")
printf '\377\377\377\377\377\377' | dd of="$WORK/bad/matrix.mtx.gz" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
run_expect "corrupt gzip" 2 "matrix.mtx.gz.*(corrupt|gzip)" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; gzip "$WORK/bad/matrix.mtx"
head -c $(($(wc -c <"$WORK/bad/matrix.mtx.gz") - 10)) "$WORK/bad/matrix.mtx.gz" >"$WORK/bad/m.gz" && mv "$WORK/bad/m.gz" "$WORK/bad/matrix.mtx.gz"
run_expect "truncated gzip" 2 "matrix.mtx.gz.*truncated" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i '1s/.*/%%MatrixMarket matrix array real general/' "$WORK/bad/matrix.mtx"
run_expect "wrong mtx header" 2 "matrix.mtx.*line 1" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i '1s/.*/MatrixMarket matrix coordinate real general/' "$WORK/bad/matrix.mtx"
run_expect "missing mtx banner" 2 "matrix.mtx.*line 1" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; printf 'ENSG1\tA1\tGene Expression\nENSG2\tB2\tGene Expression\n' >"$WORK/bad/features.tsv"
run_expect "features count mismatch" 2 "features.tsv has 2 lines but .* 5 rows" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; printf 'AAAC-1\nAAAG-1\nAAAT-1\n' >"$WORK/bad/barcodes.tsv"
run_expect "barcodes count mismatch" 2 "barcodes.tsv has 3 lines but .* 4 columns" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i 's/^5 4 7$/5 4 7/; s/^3 3 1$/6 3 1/' "$WORK/bad/matrix.mtx"
run_expect "row index out of range" 2 "matrix.mtx.*line 8.*6.*range" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i 's/^3 3 1$/3 9 1/' "$WORK/bad/matrix.mtx"
run_expect "column index out of range" 2 "matrix.mtx.*line 8.*9.*range" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i 's/^3 3 1$/2 2 1/' "$WORK/bad/matrix.mtx"
run_expect "duplicate entry" 2 "matrix.mtx.*duplicate" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i '1s/integer/real/; s/^3 3 1$/3 3 -1/' "$WORK/bad/matrix.mtx"
run_expect "negative value" 2 "matrix.mtx.*line 8.*negative" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i '1s/integer/real/; s/^3 3 1$/3 3 nan/' "$WORK/bad/matrix.mtx"
run_expect "NaN value" 2 "matrix.mtx.*line 8" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; sed -i '1s/integer/real/; s/^3 3 1$/3 3 inf/' "$WORK/bad/matrix.mtx"
run_expect "infinite value" 2 "matrix.mtx.*line 8" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; printf 'AAAC-1\nAAAG-1\nAAAC-1\nAACA-1\n' >"$WORK/bad/barcodes.tsv"
run_expect "duplicate barcodes" 2 "barcodes.tsv: barcode 'AAAC-1' appears twice \(lines 1 and 3\)" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
bad_dir; printf '%%%%MatrixMarket matrix coordinate integer general\n5 4 0\n' >"$WORK/bad/matrix.mtx"
run_expect "empty matrix" 2 "empty" "$O.b.h5ad" "$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.b.h5ad"
printf 'id\tA1\tB2\nc1\t1\t-2\n' >"$WORK/neg.txt"
run_expect "negative value in text" 2 "neg.txt.*line 2" "$O.b.h5ad" "$I" "$WORK/neg.txt" -d "$WORK/days.csv" -o "$O.b.h5ad"
printf 'id\tA1\tB2\nc1\t1\nc2\t1\t2\n' >"$WORK/ragged.txt"
run_expect "ragged text" 2 "ragged.txt.*line 2" "$O.b.h5ad" "$I" "$WORK/ragged.txt" -d "$WORK/days.csv" -o "$O.b.h5ad"
# an HDF5 file that is none of the supported layouts: an h5ad named .h5 is not a 10x file
cp "$O.h5ad" "$WORK/not10x.h5"
run_expect "HDF5 of no supported layout" 2 "not10x.h5: not a 10x HDF5 matrix: expected" "$O.b.h5ad" "$I" "$WORK/not10x.h5" -d "$WORK/days.tsv" -o "$O.b.h5ad"
head -c $(($(wc -c <"$O.h5ad") / 2)) "$O.h5ad" >"$WORK/truncated.h5ad"
run_expect "truncated HDF5" 2 "truncated.h5ad.*(truncated|not an HDF5)" "$O.b.h5ad" "$I" "$WORK/truncated.h5ad" -o "$O.b.h5ad"
printf 'this is not hdf5\n' >"$WORK/text.h5ad"
run_expect "not HDF5 at all" 2 "text.h5ad.*not an HDF5" "$O.b.h5ad" "$I" "$WORK/text.h5ad" -o "$O.b.h5ad"
run_expect "unwritable output dir" 1 "nonexistent-dir.*(No such file|cannot create)" - "$I" "$D" -d "$WORK/days.tsv" -o "$WORK/nonexistent-dir/x.h5ad"
# an existing output is not damaged by a failing run
cp "$O.h5ad" "$O.keep.h5ad"
"$I" "$WORK/bad" -d "$WORK/days.tsv" -o "$O.keep.h5ad" 2>/dev/null
cmp -s "$O.h5ad" "$O.keep.h5ad" && ok "failed run leaves existing output untouched" || not_ok "failed run leaves existing output untouched"

finish
