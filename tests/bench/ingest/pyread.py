#!/usr/bin/python3
"""pyread.py -- the Python side of the ingest benchmark: read with anndata.read_h5ad or with
scipy.io.mmread (+ the 10x features/barcodes files, as scanpy.read_10x_mtx does), then print
seconds, cells, genes, nonzeros and peak RSS (MB) as TSV, like readbench."""
import resource, sys, time


def main():
    what, path = sys.argv[1], sys.argv[2]
    import anndata, scipy.io, pandas as pd  # imports are not timed
    t0 = time.perf_counter()
    if what == "h5ad":
        a = anndata.read_h5ad(path)
        X = a.X
        n, g = a.shape
    else:
        X = scipy.io.mmread(f"{path}/matrix.mtx").T.tocsr()
        genes = pd.read_csv(f"{path}/features.tsv", sep="\t", header=None)
        cells = pd.read_csv(f"{path}/barcodes.tsv", sep="\t", header=None)
        n, g = len(cells), len(genes)
    t = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"{t:.3f}\t{n}\t{g}\t{X.nnz}\t{rss:.1f}\t{(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 1e6:.1f}")


if __name__ == "__main__":
    main()
