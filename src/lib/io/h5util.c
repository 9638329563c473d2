/* h5util.c -- HDF5 helpers of the io module: quiet opening, typed reads of any stored width, strings of any
 * string type, sparse and dense matrices, chunked deflate writes (see h5util_internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/outfile.h"
#include "io/h5util_internal.h"

#define CHUNK_BYTES ((size_t)1 << 20) /* at most 1 MiB per chunk */
#define DEFLATE_LEVEL 4
#define BLOCK_ELEMS ((int64_t)1 << 20) /* elements per block when converting in pieces */
#define PIECE_BYTES ((size_t)8 << 20)  /* bytes per pread() of a contiguous dataset */

/* OpenMP directives; nothing (and no warning) in a build without OpenMP. */
#ifdef _OPENMP
#define SCUOT_OMP(x) _Pragma(#x)
#else
#define SCUOT_OMP(x)
#endif

/* ---- errors ---- */

void scuot_h5_quiet(void)
{
	/* No HDF5 clean-up at exit: a file whose close failed (disk full) stays open inside the library,
	 * and closing it again from an atexit handler crashes HDF5 1.10.  Every file scuot writes is
	 * closed explicitly, so nothing is lost.  (A no-op once the library is initialised.) */
	H5dont_atexit();
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

char *scuot_h5_file(hid_t loc, char *buf, size_t len)
{
	if (H5Fget_name(loc, buf, len) <= 0)
		snprintf(buf, len, "?");
	return buf;
}

char *scuot_h5_path(hid_t loc, const char *name, char *buf, size_t len)
{
	char base[512];
	if (name && name[0] == '/') {
		snprintf(buf, len, "%s", name);
		return buf;
	}
	if (H5Iget_type(loc) == H5I_FILE)
		snprintf(base, sizeof base, "/");
	else if (H5Iget_name(loc, base, sizeof base) <= 0)
		snprintf(base, sizeof base, "?");
	if (!name || !*name)
		snprintf(buf, len, "%s", base);
	else
		snprintf(buf, len, "%s%s%s", base, strcmp(base, "/") ? "/" : "", name);
	return buf;
}

static herr_t innermost(unsigned n, const H5E_error2_t *err, void *data)
{
	if (n == 0 && err->desc)
		snprintf((char *)data, 256, "%s", err->desc);
	return 0;
}

static int vmsg(scuot_err *e, int code, hid_t loc, const char *name, const char *detail, const char *fmt,
                va_list ap)
{
	char file[512], path[512], m[SCUOT_ERR_MSG_MAX];
	vsnprintf(m, sizeof m, fmt, ap);
	scuot_h5_file(loc, file, sizeof file);
	scuot_h5_path(loc, name, path, sizeof path);
	if (detail && *detail)
		return scuot_err_set(e, code, "%s: %s: %s (HDF5: %s)", file, path, m, detail);
	return scuot_err_set(e, code, "%s: %s: %s", file, path, m);
}

int scuot_h5_err(scuot_err *e, int code, hid_t loc, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(e, code, loc, name, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int scuot_h5_errh(scuot_err *e, int code, hid_t loc, const char *name, const char *fmt, ...)
{
	char detail[256] = "";
	va_list ap;
	/* capture the stack first: the next HDF5 API call clears it */
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, detail);
	H5Eclear2(H5E_DEFAULT);
	va_start(ap, fmt);
	vmsg(e, code, loc, name, detail, fmt, ap);
	va_end(ap);
	return code;
}

void scuot_h5_err_prefix(scuot_err *e, hid_t loc, const char *name)
{
	char file[512], path[512];
	scuot_err_prefix(e, "%s: %s: ", scuot_h5_file(loc, file, sizeof file),
	                 scuot_h5_path(loc, name, path, sizeof path));
}

void scuot_h5_err_rename(scuot_err *e, const char *from, const char *to)
{
	size_t n = strlen(from);
	char m[SCUOT_ERR_MSG_MAX];
	if (!e || strncmp(e->msg, from, n) != 0)
		return;
	snprintf(m, sizeof m, "%s%s", to, e->msg + n);
	memcpy(e->msg, m, sizeof m);
}

/* ---- files, objects ---- */

static hid_t fapl_new(void)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

/* Open name read-only with fapl (closed here); a failure names the innermost HDF5 error. */
static hid_t open_with(const char *name, hid_t fapl, scuot_err *e)
{
	char detail[256] = "";
	hid_t f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
	H5Pclose(fapl);
	if (f >= 0)
		return f;
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, detail);
	H5Eclear2(H5E_DEFAULT);
	if (!*detail)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: not an HDF5 file or truncated", name);
	return scuot_err_set(e, SCUOT_EINPUT, "%s: not an HDF5 file or truncated (HDF5: %s)", name, detail);
}

hid_t scuot_h5_open(const char *path, scuot_err *e)
{
	struct stat st;
	hid_t fapl;
	int fd;
	scuot_h5_quiet();
	if ((fd = open(path, O_RDONLY)) < 0)
		return scuot_err_sys(e, SCUOT_EINPUT, "%s: cannot open", path);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return scuot_err_set(e, SCUOT_EINPUT, "%s: is a directory, not an HDF5 file", path);
	}
	close(fd);
#if H5_VERSION_GE(1, 12, 0)
	htri_t is = H5Fis_accessible(path, H5P_DEFAULT);
#else
	htri_t is = H5Fis_hdf5(path);
#endif
	if (is <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return scuot_err_set(e, SCUOT_EINPUT, "%s: not an HDF5 file or truncated", path);
	}
	if ((fapl = fapl_new()) < 0)
		return scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot create an HDF5 property list", path);
	return open_with(path, fapl, e);
}

hid_t scuot_h5_open_mem(const void *buf, size_t len, const char *label, scuot_err *e)
{
	hid_t fapl;
	scuot_h5_quiet();
	if (!buf || len < 8)
		return scuot_err_set(e, SCUOT_EINPUT, "%s: not an HDF5 file or truncated (%zu bytes)", label,
		                     len);
	if ((fapl = fapl_new()) < 0 || H5Pset_fapl_core(fapl, (size_t)1 << 16, 0) < 0 ||
	    H5Pset_file_image(fapl, (void *)buf, len) < 0) {
		scuot_h5_close(fapl);
		H5Eclear2(H5E_DEFAULT);
		return scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot set up an in-memory HDF5 file", label);
	}
	return open_with(label, fapl, e);
}

hid_t scuot_h5_create(const char *path, scuot_err *e)
{
	char detail[256] = "";
	hid_t fapl, fcpl, f;
	scuot_h5_quiet();
	if ((fapl = fapl_new()) < 0 || (fcpl = H5Pcreate(H5P_FILE_CREATE)) < 0) {
		scuot_h5_close(fapl);
		return scuot_err_set(e, SCUOT_ENOMEM, "%s: cannot create an HDF5 property list", path);
	}
	H5Pset_obj_track_times(fcpl, 0); /* the root group, too, without modification times */
	f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
	H5Pclose(fapl);
	H5Pclose(fcpl);
	if (f < 0) {
		H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, detail);
		H5Eclear2(H5E_DEFAULT);
		return scuot_err_set(e, SCUOT_EIO, "%s: cannot create HDF5 file (HDF5: %s)", path, detail);
	}
	return f;
}

void scuot_h5_close(hid_t id)
{
	if (id < 0)
		return;
	switch (H5Iget_type(id)) {
	case H5I_FILE: H5Fclose(id); break;
	case H5I_GROUP: H5Gclose(id); break;
	case H5I_DATASET: H5Dclose(id); break;
	case H5I_ATTR: H5Aclose(id); break;
	case H5I_DATATYPE: H5Tclose(id); break;
	case H5I_DATASPACE: H5Sclose(id); break;
	case H5I_GENPROP_LST: H5Pclose(id); break;
	default: break;
	}
	H5Eclear2(H5E_DEFAULT);
}

int scuot_h5_exists(hid_t loc, const char *path)
{
	char buf[1024];
	size_t n = strlen(path);
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		char c = buf[i];
		buf[i] = 0;
		int ok = !(buf[0] == '/' && i == 1) && buf[i - 1] != '/';
		if (ok && (H5Lexists(loc, buf, H5P_DEFAULT) <= 0 ||
		           H5Oexists_by_name(loc, buf, H5P_DEFAULT) <= 0)) {
			H5Eclear2(H5E_DEFAULT);
			return 0;
		}
		buf[i] = c;
	}
	return n > 0;
}

int scuot_h5_objtype(hid_t loc, const char *path)
{
	if (!scuot_h5_exists(loc, path))
		return 0;
	hid_t o = H5Oopen(loc, path, H5P_DEFAULT);
	if (o < 0) {
		H5Eclear2(H5E_DEFAULT);
		return H5I_BADID;
	}
	int t = H5Iget_type(o);
	H5Oclose(o);
	return t;
}

static hid_t nocache_dapl(void);

/* Open a group or dataset (want: H5I_GROUP, H5I_DATASET); big: a dataset read whole, once, without chunk
 * cache. */
static hid_t open_as(hid_t loc, const char *path, int want, int big, scuot_err *e)
{
	int t = scuot_h5_objtype(loc, path);
	hid_t id;
	if (t == 0)
		return scuot_h5_err(e, SCUOT_EINPUT, loc, path, "missing %s",
		                    want == H5I_GROUP ? "group" : "dataset");
	if (t != want)
		return scuot_h5_err(e, SCUOT_EINPUT, loc, path, "is not %s",
		                    want == H5I_GROUP ? "a group" : "a dataset");
	if (want == H5I_GROUP) {
		id = H5Gopen2(loc, path, H5P_DEFAULT);
	} else {
		hid_t dapl = big ? nocache_dapl() : H5P_DEFAULT;
		id = H5Dopen2(loc, path, dapl);
		if (dapl != H5P_DEFAULT)
			H5Pclose(dapl);
	}
	if (id < 0)
		return scuot_h5_errh(e, SCUOT_EINPUT, loc, path, "cannot open");
	return id;
}

hid_t scuot_h5_gopen(hid_t loc, const char *path, scuot_err *e)
{
	return open_as(loc, path, H5I_GROUP, 0, e);
}
hid_t scuot_h5_dopen(hid_t loc, const char *path, scuot_err *e)
{
	return open_as(loc, path, H5I_DATASET, 0, e);
}

int scuot_h5_list(hid_t g, char ***names, int64_t *n, scuot_err *e)
{
	H5G_info_t info;
	char **a = NULL;
	hsize_t i = 0;
	*names = NULL, *n = 0;
	if (H5Gget_info(g, &info) < 0)
		return scuot_h5_errh(e, SCUOT_EINPUT, g, NULL, "cannot list the group");
	if (!(a = scuot_alloc((size_t)info.nlinks, sizeof *a, 1, "group members", e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (i = 0; i < info.nlinks; i++) {
		ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
		if (len < 0) {
			scuot_h5_errh(e, SCUOT_EINPUT, g, NULL, "cannot read the name of member %llu",
			              (unsigned long long)i);
			goto fail;
		}
		if (!(a[i] = scuot_alloc((size_t)len + 1, 1, 0, "member name", e)))
			goto fail;
		H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, a[i], (size_t)len + 1, H5P_DEFAULT);
	}
	*names = a, *n = (int64_t)info.nlinks;
	return 0;
fail:
	scuot_strs_free(a, (int64_t)info.nlinks);
	return e ? e->code : SCUOT_EINPUT;
}

/* ---- types, shapes ---- */

/* Integer value of an enum member, converted from the enum's base type. */
static int enum_member(hid_t t, unsigned i, int64_t *v)
{
	unsigned char buf[16] = { 0 };
	hid_t base = H5Tget_super(t);
	int ok = base >= 0 && H5Tget_size(base) <= 8 && H5Tget_member_value(t, i, buf) >= 0 &&
	         H5Tconvert(base, H5T_NATIVE_INT64, 1, buf, NULL, H5P_DEFAULT) >= 0;
	if (ok)
		memcpy(v, buf, sizeof *v);
	scuot_h5_close(base);
	return ok ? 0 : -1;
}

static int enum_is_bool(hid_t t)
{
	int nf = 0, nt = 0;
	if (H5Tget_nmembers(t) != 2)
		return 0;
	for (unsigned i = 0; i < 2; i++) {
		char *name = H5Tget_member_name(t, i);
		int64_t v;
		if (!name)
			return 0;
		if (enum_member(t, i, &v) == 0) {
			nf += strcasecmp(name, "FALSE") == 0 && v == 0;
			nt += strcasecmp(name, "TRUE") == 0 && v == 1;
		}
		H5free_memory(name);
	}
	return nf == 1 && nt == 1;
}

int scuot_h5_type_kind(hid_t t)
{
	switch (H5Tget_class(t)) {
	case H5T_INTEGER: return SCUOT_H5_INT;
	case H5T_FLOAT: return SCUOT_H5_FLOAT;
	case H5T_STRING: return SCUOT_H5_STR;
	case H5T_ENUM: return enum_is_bool(t) ? SCUOT_H5_BOOL : SCUOT_H5_OTHER;
	default: H5Eclear2(H5E_DEFAULT); return SCUOT_H5_OTHER;
	}
}

int scuot_h5_kind(hid_t d)
{
	hid_t t = H5Dget_type(d);
	int k = t < 0 ? SCUOT_H5_OTHER : scuot_h5_type_kind(t);
	scuot_h5_close(t);
	return k;
}

static const char *kind_name(int k)
{
	switch (k) {
	case SCUOT_H5_INT: return "integers";
	case SCUOT_H5_FLOAT: return "floating-point numbers";
	case SCUOT_H5_BOOL: return "booleans";
	case SCUOT_H5_STR: return "strings";
	default: return "an unsupported type (compound, reference, opaque or non-boolean enum)";
	}
}

static int space_shape(hid_t space, hid_t loc, const char *name, int *rank, int64_t *dims, scuot_err *e)
{
	hsize_t hd[H5S_MAX_RANK];
	H5S_class_t cls = H5Sget_simple_extent_type(space);
	int r;
	*rank = 0;
	if (cls == H5S_SCALAR)
		return 0;
	if (cls != H5S_SIMPLE)
		return scuot_h5_err(e, SCUOT_EINPUT, loc, name, "has a null dataspace (no value)");
	r = H5Sget_simple_extent_ndims(space);
	if (r < 0 || r > SCUOT_H5_MAXRANK)
		return scuot_h5_err(e, SCUOT_EINPUT, loc, name,
		                    "has %d dimensions (at most %d are supported)", r, SCUOT_H5_MAXRANK);
	H5Sget_simple_extent_dims(space, hd, NULL);
	for (int i = 0; i < r; i++) {
		if (hd[i] > (hsize_t)INT64_MAX / 2)
			return scuot_h5_err(e, SCUOT_EINPUT, loc, name, "dimension %d is too large", i);
		dims[i] = (int64_t)hd[i];
	}
	*rank = r;
	return 0;
}

int scuot_h5_shape(hid_t d, int *rank, int64_t dims[SCUOT_H5_MAXRANK], scuot_err *e)
{
	hid_t space = H5Dget_space(d);
	if (space < 0)
		return scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read the dataspace");
	int ret = space_shape(space, d, NULL, rank, dims, e);
	H5Sclose(space);
	return ret;
}

int scuot_h5_len(hid_t d, int64_t *n, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK];
	int rank, ret = scuot_h5_shape(d, &rank, dims, e);
	if (ret)
		return ret;
	if (rank != 1)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %d dimensions, expected a 1-D array",
		                    rank);
	*n = dims[0];
	return 0;
}

static int64_t nelem(int rank, const int64_t *dims)
{
	int64_t n = 1;
	for (int i = 0; i < rank; i++) {
		if (dims[i] && n > INT64_MAX / dims[i])
			return -1;
		n *= dims[i];
	}
	return n;
}

hid_t scuot_h5_bool_type(void)
{
	int8_t f = 0, t = 1;
	hid_t b = H5Tenum_create(H5T_NATIVE_INT8);
	if (b < 0 || H5Tenum_insert(b, "FALSE", &f) < 0 || H5Tenum_insert(b, "TRUE", &t) < 0) {
		scuot_h5_close(b);
		return -1;
	}
	return b;
}

/* ---- transfer property list: malloc'ed vlen strings, range overflow aborts ---- */

static void *vl_alloc(size_t n, void *info) { return malloc(n ? n : 1); }
static void vl_free(void *p, void *info) { free(p); }

static H5T_conv_ret_t conv_cb(H5T_conv_except_t except, hid_t src, hid_t dst, void *sbuf, void *dbuf,
                              void *data)
{
	if (except == H5T_CONV_EXCEPT_RANGE_HI || except == H5T_CONV_EXCEPT_RANGE_LOW ||
	    except == H5T_CONV_EXCEPT_TRUNCATE)
		return H5T_CONV_ABORT;
	return H5T_CONV_UNHANDLED;
}

static hid_t xfer(void)
{
	static hid_t dxpl = -1;
	if (dxpl >= 0 && H5Iis_valid(dxpl) > 0)
		return dxpl;
	dxpl = H5Pcreate(H5P_DATASET_XFER);
	if (dxpl < 0)
		return H5P_DEFAULT;
	H5Pset_vlen_mem_manager(dxpl, vl_alloc, NULL, vl_free, NULL);
	H5Pset_type_conv_cb(dxpl, conv_cb, NULL);
	return dxpl;
}

/* libhdf5 1.10 trusts the size in a compact or contiguous layout message: a damaged file whose stored size is
 * smaller than its dataspace makes H5Dread copy past the end of the stored data (found by fuzz_tenx).  Refuse
 * such a dataset before reading it. */
static int storage_ok(hid_t d, scuot_err *e)
{
	hid_t dcpl = H5Dget_create_plist(d), sp = H5Dget_space(d), ft = H5Dget_type(d);
	int ret = 0;
	if (dcpl < 0 || sp < 0 || ft < 0) {
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read the dataset's layout");
	} else {
		H5D_layout_t layout = H5Pget_layout(dcpl);
		hssize_t n = H5Sget_simple_extent_npoints(sp);
		size_t el = H5Tget_size(ft);
		if (H5Tis_variable_str(ft) > 0 || H5Tget_class(ft) == H5T_VLEN)
			el = 16; /* a global-heap id per element */
		if ((layout == H5D_COMPACT || layout == H5D_CONTIGUOUS) && n > 0 && el > 0) {
			hsize_t stored = H5Dget_storage_size(d);
			/* contiguous storage may be unallocated (all fill values): 0 is fine */
			if ((layout == H5D_COMPACT || stored > 0) && stored < (hsize_t)n * el)
				ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
				                   "damaged dataset: %llu bytes stored for %lld elements of %zu bytes",
				                   (unsigned long long)stored, (long long)n, el);
		}
	}
	scuot_h5_close(dcpl);
	scuot_h5_close(sp);
	scuot_h5_close(ft);
	H5Eclear2(H5E_DEFAULT);
	return ret;
}

/* Read everything or a hyperslab of rows [off, off + cnt) of d as memtype. */
static int read_rows(hid_t d, hid_t memtype, int64_t off, int64_t cnt, void *buf, int all, scuot_err *e)
{
	hsize_t start[H5S_MAX_RANK] = { 0 }, count[H5S_MAX_RANK];
	hid_t fs = -1, ms = -1;
	int64_t dims[SCUOT_H5_MAXRANK];
	int rank, ret = scuot_h5_shape(d, &rank, dims, e);
	if (ret || (ret = storage_ok(d, e)))
		return ret;
	if (all || rank == 0) {
		if (nelem(rank, dims) == 0)
			return 0;
		if (H5Dread(d, memtype, H5S_ALL, H5S_ALL, xfer(), buf) < 0)
			return scuot_h5_errh(e, SCUOT_EINPUT, d, NULL,
			                     "cannot read (value out of range or damaged data)");
		return 0;
	}
	if (cnt <= 0)
		return 0;
	if (off < 0 || off + cnt > dims[0])
		return scuot_h5_err(e, SCUOT_EINTERNAL, d, NULL, "read of rows %lld..%lld beyond %lld",
		                    (long long)off, (long long)(off + cnt), (long long)dims[0]);
	for (int i = 0; i < rank; i++)
		count[i] = (hsize_t)dims[i];
	start[0] = (hsize_t)off, count[0] = (hsize_t)cnt;
	if ((fs = H5Dget_space(d)) < 0 ||
	    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
	    (ms = H5Screate_simple(rank, count, NULL)) < 0)
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot select rows %lld..%lld", (long long)off,
		                    (long long)(off + cnt));
	else if (H5Dread(d, memtype, ms, fs, xfer(), buf) < 0)
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL,
		                    "cannot read rows %lld..%lld (value out of range or "
		                    "damaged data)",
		                    (long long)off, (long long)(off + cnt));
	scuot_h5_close(fs);
	scuot_h5_close(ms);
	return ret;
}

int scuot_h5_read_slab(hid_t d, hid_t memtype, int64_t off, int64_t cnt, void *buf, scuot_err *e)
{
	return read_rows(d, memtype, off, cnt, buf, 0, e);
}

/* ---- fast reads of large 1-D arrays ----
 * HDF5 reads on one thread and copies each chunk through its chunk cache.  For the big arrays of a sparse
 * matrix, when the stored type is the memory type:
 *   contiguous storage in a plain file (sec2 driver, no user block): pread() on all OpenMP threads straight
 *     into the result;
 *   chunks compressed as h5py and scuot compress them (shuffle and/or deflate): raw chunks fetched in batches
 *     with H5Dread_chunk (one index lookup each) and inflated (zlib) and un-shuffled on all threads;
 *   unfiltered chunks: H5Dread on a handle without chunk cache, which reads each chunk straight into the
 * result. Anything else (other filters, missing chunks, type conversion) goes through H5Dread as well. */

/* Dataset access property list without chunk cache; close after use. */
static hid_t nocache_dapl(void)
{
	hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (dapl >= 0 && H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0) {
		H5Pclose(dapl);
		return H5P_DEFAULT;
	}
	return dapl < 0 ? H5P_DEFAULT : dapl;
}

/* File descriptor of the plain file holding d, or -1. */
static int plain_fd(hid_t d)
{
	hid_t f = H5Iget_file_id(d), fapl = -1, fcpl = -1;
	hsize_t ub = 1;
	void *h = NULL;
	int fd = -1;
	if (f >= 0 && (fcpl = H5Fget_create_plist(f)) >= 0 && H5Pget_userblock(fcpl, &ub) >= 0 && ub == 0 &&
	    (fapl = H5Fget_access_plist(f)) >= 0 && H5Pget_driver(fapl) == H5FD_SEC2 &&
	    H5Fget_vfd_handle(f, fapl, &h) >= 0 && h)
		fd = *(int *)h;
	scuot_h5_close(fcpl);
	scuot_h5_close(fapl);
	scuot_h5_close(f); /* drops the reference H5Iget_file_id added */
	H5Eclear2(H5E_DEFAULT);
	return fd;
}

static int pread_all(int fd, void *buf, size_t n, haddr_t off)
{
	char *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r, n -= (size_t)r, off += (haddr_t)r;
	}
	return 0;
}

/* HDF5's shuffle filter stores byte j of element k at in[j * nel + k]; write the first keep elements. */
static void unshuffle(const unsigned char *in, unsigned char *out, size_t nel, size_t el, size_t keep)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (el == 4) {
		const unsigned char *p0 = in, *p1 = in + nel, *p2 = in + 2 * nel, *p3 = in + 3 * nel;
		for (size_t k = 0; k < keep; k++) {
			uint32_t v =
			    p0[k] | (uint32_t)p1[k] << 8 | (uint32_t)p2[k] << 16 | (uint32_t)p3[k] << 24;
			memcpy(out + 4 * k, &v, 4);
		}
		return;
	}
	if (el == 8) {
		for (size_t k = 0; k < keep; k++) {
			uint64_t v = 0;
			for (size_t j = 0; j < 8; j++)
				v |= (uint64_t)in[j * nel + k] << (8 * j);
			memcpy(out + 8 * k, &v, 8);
		}
		return;
	}
#endif
	for (size_t j = 0; j < el; j++) {
		const unsigned char *plane = in + j * nel;
		for (size_t k = 0; k < keep; k++)
			out[k * el + j] = plane[k];
	}
}

/* Decode one raw chunk (size bytes, filters not skipped per mask) of cbytes into dest, keeping want bytes. */
static int decode_chunk(const unsigned char *raw, size_t size, unsigned mask, int shuffle, int deflate,
                        size_t cbytes, size_t el, unsigned char *dest, size_t want, unsigned char **tmp)
{
	int def = deflate >= 0 && !(mask & (1u << deflate)), shuf = shuffle >= 0 && !(mask & (1u << shuffle));
	const unsigned char *src = raw;
	if (def) {
		/* a whole unshuffled chunk inflates straight into the result */
		unsigned char *to = !shuf && want == cbytes ? dest : *tmp;
		uLongf len = (uLongf)cbytes;
		if (!to && !(to = *tmp = malloc(cbytes)))
			return -1;
		if (uncompress(to, &len, raw, (uLong)size) != Z_OK || len != cbytes)
			return -1;
		if (to == dest)
			return 0;
		src = to;
	} else if (size < (shuf ? cbytes : want)) {
		return -1;
	}
	if (shuf)
		unshuffle(src, dest, cbytes / el, el, want / el);
	else
		memcpy(dest, src, want);
	return 0;
}

/* Filtered chunks of d (1-D, chunks of c elements) into buf.  Every thread takes the next chunk, fetches its
 * raw bytes with H5Dread_chunk inside a critical section (HDF5 is not thread-safe) and inflates it outside,
 * so reading and inflating overlap.  Returns 0, 1 when a chunk is missing (HDF5 must fill it), or a code. */
static int read_filtered(hid_t d, int64_t n, int64_t c, size_t el, int shuffle, int deflate,
                         unsigned char *buf, scuot_err *e)
{
	int64_t nch = (n + c - 1) / c, where = -1;
	size_t cbytes = (size_t)c * el;
	int state = 0; /* 0 fine, 1 missing chunk, 2 read error, 3 damaged chunk, 4 out of memory */
	SCUOT_OMP(omp parallel)
	{
		unsigned char *raw = NULL, *tmp = NULL;
		size_t cap = 0;
		H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* threadsafe HDF5 keeps one error stack per thread */
		SCUOT_OMP(omp for schedule(dynamic))
		for (int64_t k = 0; k < nch; k++) {
			hsize_t off = (hsize_t)(k * c), sz = 0;
			uint32_t mask = 0;
			int st, rc = 0;
			SCUOT_OMP(omp atomic read)
			st = state;
			if (st)
				continue;
			SCUOT_OMP(omp critical(scuot_hdf5))
			{
				if (H5Dget_chunk_storage_size(d, &off, &sz) < 0 || sz == 0) {
					rc = 1;
				} else if (cap < sz) {
					free(raw);
					cap = (size_t)sz;
					if (!(raw = malloc(cap)))
						rc = 4, cap = 0;
				}
				if (!rc && H5Dread_chunk(d, H5P_DEFAULT, &off, &mask, raw) < 0)
					rc = 2;
				H5Eclear2(H5E_DEFAULT);
			}
			if (!rc) {
				size_t want = (size_t)(n - k * c < c ? n - k * c : c) * el;
				if (decode_chunk(raw, (size_t)sz, mask, shuffle, deflate, cbytes, el,
				                 buf + (size_t)k * cbytes, want, &tmp))
					rc = 3;
			}
			if (rc) {
				SCUOT_OMP(omp critical(scuot_h5_state))
				if (!state || k < where) {
					SCUOT_OMP(omp atomic write)
					state = rc;
					where = k;
				}
			}
		}
		free(raw);
		free(tmp);
	}
	switch (state) {
	case 0: return 0;
	case 1: return 1;
	case 2: return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "cannot read chunk %lld", (long long)where);
	case 3:
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "cannot inflate chunk %lld: damaged data",
		                    (long long)where);
	default: return scuot_err_set(e, SCUOT_ENOMEM, "cannot allocate a chunk buffer");
	}
}

/* The n elements of 1-D dataset d into buf when memtype is the stored type: 1 when done here, 0 when this
 * path does not apply (the caller then uses H5Dread), or a negative code. */
static int fast_read(hid_t d, hid_t memtype, int64_t n, void *buf, scuot_err *e)
{
	hid_t ft = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
	int ret = 0, fd, shuffle = -1, deflate = -1, nf;
	hsize_t cd[1];
	size_t el;
	if (n <= 0 || ft < 0 || dcpl < 0 || H5Tequal(ft, memtype) <= 0)
		goto done;
	el = H5Tget_size(ft);
	if (H5Pget_layout(dcpl) == H5D_CONTIGUOUS) {
		haddr_t off = H5Dget_offset(d);
		size_t total = (size_t)n * el;
		int64_t np = (int64_t)((total + PIECE_BYTES - 1) / PIECE_BYTES);
		int bad = 0;
		if (off == HADDR_UNDEF || H5Pget_nfilters(dcpl) != 0 || H5Pget_external_count(dcpl) != 0 ||
		    (fd = plain_fd(d)) < 0)
			goto done;
		SCUOT_OMP(omp parallel for schedule(dynamic) reduction(| : bad))
		for (int64_t p = 0; p < np; p++) {
			size_t o = (size_t)p * PIECE_BYTES,
			       len = total - o < PIECE_BYTES ? total - o : PIECE_BYTES;
			bad |= pread_all(fd, (char *)buf + o, len, off + o);
		}
		ret = bad ? scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "cannot read the data (truncated file?)")
		          : 1;
		goto done;
	}
	if (H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, 1, cd) != 1 || cd[0] == 0 ||
	    (nf = H5Pget_nfilters(dcpl)) == 0)
		goto done;
	for (int i = 0; i < nf; i++) {
		unsigned flags, cv[8], cfg;
		size_t ncv = 8;
		char name[32];
		H5Z_filter_t id =
		    H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncv, cv, sizeof name, name, &cfg);
		if (id == H5Z_FILTER_SHUFFLE && shuffle < 0 && deflate < 0)
			shuffle = i;
		else if (id == H5Z_FILTER_DEFLATE && deflate < 0)
			deflate = i;
		else
			goto done;
	}
	ret = read_filtered(d, n, (int64_t)cd[0], el, shuffle, deflate, buf, e);
	ret = ret < 0 ? ret : ret == 0 ? 1 : 0;
done:
	H5Eclear2(H5E_DEFAULT);
	scuot_h5_close(dcpl);
	scuot_h5_close(ft);
	return ret;
}

/* Populate every page of a large new buffer on all threads before a read fills it, so that the read does not
 * also pay, on one thread, for a page fault and the zeroing of each fresh page: MADV_POPULATE_WRITE (Linux
 * >= 5.14) maps a whole piece per call; elsewhere each page is touched. */
static void prefault(void *buf, size_t n)
{
	const size_t page = 4096, piece = (size_t)4 << 20;
	uintptr_t a = ((uintptr_t)buf + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t z = ((uintptr_t)buf + n) & ~(uintptr_t)(page - 1);
	int64_t np;
	if (n < ((size_t)16 << 20) || z <= a)
		return;
	np = (int64_t)((z - a + piece - 1) / piece);
	SCUOT_OMP(omp parallel for schedule(dynamic))
	for (int64_t k = 0; k < np; k++) {
		unsigned char *p = (unsigned char *)(a + (size_t)k * piece);
		size_t len = (size_t)k == (size_t)np - 1 ? z - (uintptr_t)p : piece;
#ifdef MADV_POPULATE_WRITE
		if (madvise(p, len, MADV_POPULATE_WRITE) == 0)
			continue;
#endif
		for (size_t o = 0; o < len; o += page)
			((volatile unsigned char *)p)[o] = 0;
	}
}

/* All n elements of the 1-D dataset d as memtype into buf, by the direct path when it applies. */
static int read_big(hid_t d, hid_t memtype, int64_t n, void *buf, scuot_err *e)
{
	int ret;
	prefault(buf, (size_t)n * H5Tget_size(memtype));
	if ((ret = fast_read(d, memtype, n, buf, e)))
		return ret < 0 ? ret : 0;
	return read_rows(d, memtype, 0, n, buf, 0, e);
}

/* ---- strings ---- */

/* Split n fixed-length strings of size bytes each (k per output string) into new strings. */
static int split_fixed(const char *buf, int64_t n, int64_t k, size_t size, int spacepad, char **out,
                       scuot_err *e)
{
	for (int64_t i = 0; i < n; i++) {
		size_t len = 0;
		for (int64_t j = 0; j < k; j++) {
			const char *p = buf + (size_t)(i * k + j) * size;
			size_t l = strnlen(p, size);
			if (spacepad)
				while (l > 0 && p[l - 1] == ' ')
					l--;
			len += l;
		}
		if (!(out[i] = scuot_alloc(len + 1, 1, 0, "string", e)))
			return e ? e->code : SCUOT_ENOMEM;
		len = 0;
		for (int64_t j = 0; j < k; j++) {
			const char *p = buf + (size_t)(i * k + j) * size;
			size_t l = strnlen(p, size);
			if (spacepad)
				while (l > 0 && p[l - 1] == ' ')
					l--;
			memcpy(out[i] + len, p, l);
			len += l;
		}
		out[i][len] = 0;
	}
	return 0;
}

/* n strings (k fixed-length pieces each) of dataset or attribute obj with file type ft. */
static int read_strings(hid_t obj, int is_attr, hid_t ft, int64_t n, int64_t k, char **out, scuot_err *e)
{
	hid_t mt = -1;
	int ret = 0;
	if (H5Tis_variable_str(ft) > 0) {
		char **v = NULL;
		if (k != 1)
			return scuot_h5_err(e, SCUOT_EINPUT, obj, NULL,
			                    "a 2-D array of variable-length strings is not "
			                    "supported");
		if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
		    H5Tset_cset(mt, H5Tget_cset(ft)) < 0) {
			ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot set up a string type");
			goto done;
		}
		if (is_attr) {
			hid_t sp = H5Aget_space(obj);
			if (!(v = scuot_alloc((size_t)n, sizeof *v, 1, "strings", e))) {
				scuot_h5_close(sp);
				ret = e ? e->code : SCUOT_ENOMEM;
				goto done;
			}
			if (H5Aread(obj, mt, v) < 0) {
				ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot read strings");
			} else {
				for (int64_t i = 0; i < n && !ret; i++)
					if (!(out[i] = scuot_strdup(v[i] ? v[i] : "", e)))
						ret = e ? e->code : SCUOT_ENOMEM;
#if H5_VERSION_GE(1, 12, 0)
				H5Treclaim(mt, sp, H5P_DEFAULT, v);
#else
				H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
#endif
			}
			scuot_h5_close(sp);
			free(v);
			goto done;
		}
		/* datasets: strings are allocated by malloc (see xfer) and kept as they are */
		if ((ret = storage_ok(obj, e)))
			goto done;
		if (n > 0 && H5Dread(obj, mt, H5S_ALL, H5S_ALL, xfer(), out) < 0) {
			memset(out, 0, (size_t)n * sizeof *out);
			ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot read strings");
			goto done;
		}
		for (int64_t i = 0; i < n && !ret; i++)
			if (!out[i] && !(out[i] = scuot_strdup("", e)))
				ret = e ? e->code : SCUOT_ENOMEM;
	} else {
		size_t size = H5Tget_size(ft);
		int spacepad = H5Tget_strpad(ft) == H5T_STR_SPACEPAD;
		char *buf;
		if (size == 0)
			return scuot_h5_err(e, SCUOT_EINPUT, obj, NULL, "fixed-length strings of size 0");
		/* a damaged type claiming megabyte strings makes libhdf5 1.10 copy past its chunk buffers */
		if (size > ((size_t)1 << 20))
			return scuot_h5_err(e, SCUOT_EINPUT, obj, NULL,
			                    "fixed-length strings of %zu bytes each: damaged file?", size);
		if ((uint64_t)n > SIZE_MAX / (size_t)(k ? k : 1))
			return scuot_h5_err(e, SCUOT_ELIMIT, obj, NULL, "too many strings");
		if (!(buf = scuot_alloc((size_t)(n * k), size, 0, "fixed-length strings", e)))
			return e ? e->code : SCUOT_ENOMEM;
		if (!is_attr && (ret = storage_ok(obj, e)))
			;
		else if ((mt = H5Tcopy(ft)) < 0)
			ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot copy the string type");
		else if (n * k > 0 && (is_attr ? H5Aread(obj, mt, buf)
		                               : H5Dread(obj, mt, H5S_ALL, H5S_ALL, xfer(), buf)) < 0)
			ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot read strings");
		else
			ret = split_fixed(buf, n, k, size, spacepad, out, e);
		free(buf);
	}
done:
	scuot_h5_close(mt);
	return ret;
}

int scuot_h5_read_strs(hid_t d, char ***out, int64_t *n, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK], cnt, k = 1;
	hid_t ft = -1;
	char **a = NULL;
	int rank, ret;
	*out = NULL, *n = 0;
	if ((ret = scuot_h5_shape(d, &rank, dims, e)))
		return ret;
	if ((ft = H5Dget_type(d)) < 0)
		return scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "cannot read the datatype");
	if (scuot_h5_type_kind(ft) != SCUOT_H5_STR) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "expected strings, found %s",
		                   kind_name(scuot_h5_type_kind(ft)));
		goto done;
	}
	if (rank > 2 || (rank == 2 && H5Tis_variable_str(ft) > 0)) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
		                   "expected a 1-D array of strings, found %d dimensions", rank);
		goto done;
	}
	cnt = rank == 0 ? 1 : dims[0];
	if (rank == 2)
		k = dims[1];
	if (!(a = scuot_alloc((size_t)cnt, sizeof *a, 1, "strings", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	if ((ret = read_strings(d, 0, ft, cnt, k, a, e))) {
		scuot_strs_free(a, cnt);
		goto done;
	}
	*out = a, *n = cnt;
done:
	scuot_h5_close(ft);
	return ret;
}

/* Python-like shortest text of a double: "0.5", "1.0", "1e-05", "nan". */
static void fmt_double(double v, char *buf, size_t len)
{
	char t[64];
	int p, ex;
	if (isnan(v)) {
		snprintf(buf, len, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(t, sizeof t, "%.*e", p - 1, v);
		if (strtod(t, NULL) == v)
			break;
	}
	snprintf(t, sizeof t, "%.*e", p - 1, v);
	ex = atoi(strchr(t, 'e') + 1);
	if (ex >= -4 && ex < 16) {
		int dec = p - 1 - ex;
		snprintf(buf, len, "%.*f", dec > 0 ? dec : 0, v);
		if (dec <= 0)
			strncat(buf, ".0", len - strlen(buf) - 1);
	} else {
		snprintf(buf, len, "%s", t);
	}
}

int scuot_h5_read_text(hid_t d, char ***out, int64_t *n, scuot_err *e)
{
	int kind = scuot_h5_kind(d), ret = 0;
	double *f = NULL;
	int64_t *iv = NULL, cnt = 0;
	char **a = NULL, buf[64];
	if (kind == SCUOT_H5_STR)
		return scuot_h5_read_strs(d, out, n, e);
	*out = NULL, *n = 0;
	if (kind == SCUOT_H5_FLOAT)
		ret = scuot_h5_read_f64(d, &f, &cnt, e);
	else if (kind == SCUOT_H5_INT || kind == SCUOT_H5_BOOL)
		ret = scuot_h5_read_i64(d, &iv, &cnt, e);
	else
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
		                    "expected labels (strings or numbers), found %s", kind_name(kind));
	if (ret)
		goto done;
	if (!(a = scuot_alloc((size_t)cnt, sizeof *a, 1, "labels", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t i = 0; i < cnt; i++) {
		if (f)
			fmt_double(f[i], buf, sizeof buf);
		else if (kind == SCUOT_H5_BOOL)
			snprintf(buf, sizeof buf, "%s", iv[i] ? "True" : "False");
		else
			snprintf(buf, sizeof buf, "%lld", (long long)iv[i]);
		if (!(a[i] = scuot_strdup(buf, e))) {
			scuot_strs_free(a, cnt);
			ret = e ? e->code : SCUOT_ENOMEM;
			goto done;
		}
	}
	*out = a, *n = cnt;
done:
	free(f);
	free(iv);
	return ret;
}

/* ---- numbers ---- */

/* Bools (enum read raw in its native base type, or integers) of rows [off, off+cnt) of d, or all. */
static int read_bool_rows(hid_t d, int64_t off, int64_t cnt, int all, uint8_t *out, scuot_err *e)
{
	hid_t ft = H5Dget_type(d), mt = -1;
	int kind = ft < 0 ? SCUOT_H5_OTHER : scuot_h5_type_kind(ft), ret = 0;
	void *buf = NULL;
	size_t size;
	if (kind == SCUOT_H5_BOOL) {
		mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
	} else if (kind == SCUOT_H5_INT) {
		mt = H5Tcopy(H5T_NATIVE_INT64);
	} else {
		ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "expected booleans, found %s", kind_name(kind));
		goto done;
	}
	size = mt < 0 ? 0 : H5Tget_size(mt);
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		ret = scuot_h5_errh(e, SCUOT_EINPUT, d, NULL, "unsupported boolean storage");
		goto done;
	}
	if (!(buf = scuot_alloc((size_t)cnt, size, 0, "booleans", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	if ((ret = read_rows(d, mt, off, cnt, buf, all, e)))
		goto done;
	for (int64_t i = 0; i < cnt; i++) {
		const unsigned char *p = (const unsigned char *)buf + (size_t)i * size;
		int nz = 0;
		for (size_t b = 0; b < size; b++)
			nz |= p[b];
		out[i] = nz != 0;
	}
done:
	free(buf);
	scuot_h5_close(mt);
	scuot_h5_close(ft);
	return ret;
}

int scuot_h5_read_bool_into(hid_t d, uint8_t *out, int64_t n, scuot_err *e)
{
	int64_t len;
	int ret = scuot_h5_len(d, &len, e);
	if (ret)
		return ret;
	if (len != n)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %lld values, expected %lld",
		                    (long long)len, (long long)n);
	return read_bool_rows(d, 0, n, 1, out, e);
}

/* All elements of d: count, and a new buffer of elsize bytes each. */
static int alloc_all(hid_t d, int64_t *n, size_t elsize, void **buf, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK];
	int rank, ret = scuot_h5_shape(d, &rank, dims, e);
	if (ret)
		return ret;
	if ((*n = nelem(rank, dims)) < 0)
		return scuot_h5_err(e, SCUOT_ELIMIT, d, NULL, "too many elements");
	if (!(*buf = scuot_alloc((size_t)*n, elsize, 0, "dataset values", e)))
		return e ? e->code : SCUOT_ENOMEM;
	return 0;
}

/* All of numeric dataset d as doubles (as_f64) or int64 into a new array; booleans become 0/1. */
static int read_all_numeric(hid_t d, int as_f64, void **out, int64_t *n, scuot_err *e)
{
	int kind = scuot_h5_kind(d), ret;
	void *buf = NULL;
	*out = NULL, *n = 0;
	if (kind != SCUOT_H5_INT && kind != SCUOT_H5_BOOL && !(as_f64 && kind == SCUOT_H5_FLOAT))
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "expected %s, found %s", as_f64 ? "numbers" : "integers",
		                    kind_name(kind));
	if ((ret = alloc_all(d, n, 8, &buf, e)))
		return ret;
	if (kind == SCUOT_H5_BOOL) {
		uint8_t *b = scuot_alloc((size_t)*n, 1, 0, "booleans", e);
		if (!b)
			ret = e ? e->code : SCUOT_ENOMEM;
		else if (!(ret = read_bool_rows(d, 0, *n, 1, b, e)))
			for (int64_t i = 0; i < *n; i++) {
				if (as_f64)
					((double *)buf)[i] = b[i];
				else
					((int64_t *)buf)[i] = b[i];
			}
		free(b);
	} else {
		ret = read_rows(d, as_f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, 0, *n, buf, 1, e);
	}
	if (ret) {
		free(buf);
		*n = 0;
		return ret;
	}
	*out = buf;
	return 0;
}

int scuot_h5_read_f64(hid_t d, double **out, int64_t *n, scuot_err *e)
{
	return read_all_numeric(d, 1, (void **)out, n, e);
}

int scuot_h5_read_i64(hid_t d, int64_t **out, int64_t *n, scuot_err *e)
{
	return read_all_numeric(d, 0, (void **)out, n, e);
}

int scuot_h5_read_idx32(hid_t d, int32_t *out, int64_t n, int64_t bound, scuot_err *e)
{
	hid_t ft = H5Dget_type(d);
	int kind = ft < 0 ? SCUOT_H5_OTHER : scuot_h5_type_kind(ft), ret = 0;
	int narrow = kind == SCUOT_H5_INT &&
	             (H5Tget_size(ft) < 4 || (H5Tget_size(ft) == 4 && H5Tget_sign(ft) == H5T_SGN_2));
	int64_t *blk = NULL;
	scuot_h5_close(ft);
	if (kind != SCUOT_H5_INT)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "expected integers, found %s", kind_name(kind));
	if (narrow) {
		/* int8..int32 on disk: straight into the result */
		if ((ret = read_big(d, H5T_NATIVE_INT32, n, out, e)) || bound < 0)
			return ret;
		for (int64_t k = 0; k < n; k++)
			if (out[k] < 0 || out[k] >= bound)
				return scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
				                    "entry %lld is %d, outside [0, %lld)", (long long)k,
				                    out[k], (long long)bound);
		return 0;
	}
	/* uint32 and 64-bit integers: blocks of int64 narrowed with a range check */
	if (!(blk =
	          scuot_alloc((size_t)(n < BLOCK_ELEMS ? n : BLOCK_ELEMS), sizeof *blk, 0, "index block", e)))
		return e ? e->code : SCUOT_ENOMEM;
	for (int64_t off = 0; off < n && !ret; off += BLOCK_ELEMS) {
		int64_t cnt = n - off < BLOCK_ELEMS ? n - off : BLOCK_ELEMS;
		if ((ret = read_rows(d, H5T_NATIVE_INT64, off, cnt, blk, 0, e)))
			break;
		for (int64_t k = 0; k < cnt; k++) {
			if (blk[k] < 0 || blk[k] >= (bound < 0 ? INT32_MAX : bound)) {
				ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
				                   "entry %lld is %lld, outside [0, %lld)",
				                   (long long)(off + k), (long long)blk[k],
				                   (long long)(bound < 0 ? INT32_MAX : bound));
				break;
			}
			out[off + k] = (int32_t)blk[k];
		}
	}
	free(blk);
	return ret;
}

int scuot_h5_read_mat(hid_t d, scuot_mat **out, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK], n;
	int rank, ret;
	scuot_mat *m = NULL;
	double *v = NULL;
	*out = NULL;
	if ((ret = scuot_h5_shape(d, &rank, dims, e)))
		return ret;
	if (rank != 1 && rank != 2)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %d dimensions, expected a matrix", rank);
	if ((ret = scuot_h5_read_f64(d, &v, &n, e)))
		return ret;
	if (!(m = scuot_alloc(1, sizeof *m, 1, "matrix", e))) {
		free(v);
		return e ? e->code : SCUOT_ENOMEM;
	}
	m->nrow = dims[0];
	m->ncol = rank == 2 ? dims[1] : 1;
	m->data = v;
	*out = m;
	return 0;
}

const char *scuot_h5_bad_value(double v, int nonneg)
{
	if (!isfinite(v))
		return "not finite";
	if (nonneg && v < 0)
		return "negative (expression values and counts must be >= 0)";
	return fabs(v) > FLT_MAX ? "beyond the float32 range" : NULL;
}

/* The bits of a float (memcpy: no aliasing trouble; compiled to a plain load). */
static inline uint32_t float_bits(const float *p)
{
	uint32_t b;
	memcpy(&b, p, sizeof b);
	return b;
}

/* One pass over a sparse matrix read from g: column indices in [0, ncol), values finite and (nonneg) >= 0;
 * rows with unsorted columns are then sorted (duplicates refused).  Rows are checked in parallel; the first
 * offending row is reported. */
static int csr_finish(hid_t g, scuot_csr *c, int nonneg, scuot_err *e)
{
	int64_t bad = INT64_MAX;
	int unsorted = 0;
	const int32_t ncol = (int32_t)c->ncol;
	const uint32_t negative = nonneg ? 0x80000000u : 0xffffffffu;
	SCUOT_OMP(omp parallel for schedule(dynamic, 1024) reduction(min : bad) reduction(| : unsorted))
	for (int64_t i = 0; i < c->nrow; i++) {
		int64_t lo = c->indptr[i], hi = c->indptr[i + 1];
		const int32_t *ix = c->indices;
		const float *val = c->data;
		uint32_t wrong = 0, down = 0;
		/* branch-free and vectorized: index out of [0, ncol) (unsigned compare), exponent all ones
		 * (Inf, NaN), or with nonneg a set sign bit on a non-zero value; columns not increasing */
#define BAD_ENTRY(k)                                                                                    \
	(((uint32_t)ix[k] >= (uint32_t)ncol) | ((float_bits(val + (k)) & 0x7f800000u) == 0x7f800000u) | \
	 (float_bits(val + (k)) > negative))
		if (hi > lo)
			wrong = BAD_ENTRY(lo);
		SCUOT_OMP(omp simd reduction(| : wrong, down))
		for (int64_t k = lo + 1; k < hi; k++) {
			wrong |= BAD_ENTRY(k);
			down |= ix[k] <= ix[k - 1];
		}
#undef BAD_ENTRY
		if (wrong && i < bad)
			bad = i;
		unsorted |= down != 0;
	}
	if (bad < INT64_MAX) {
		for (int64_t k = c->indptr[bad]; k < c->indptr[bad + 1]; k++) {
			int32_t j = c->indices[k];
			float v = c->data[k];
			if (j < 0 || j >= ncol)
				return scuot_h5_err(e, SCUOT_EINPUT, g, "indices",
				                    "row %lld: column index %d outside [0, %d)",
				                    (long long)bad, j, ncol);
			if (scuot_h5_bad_value(v, nonneg))
				return scuot_h5_err(e, SCUOT_EINPUT, g, "data",
				                    "row %lld, column %d: value %g is %s", (long long)bad, j,
				                    v, scuot_h5_bad_value(v, nonneg));
		}
	}
	if (unsorted && scuot_csr_sort_rows(c, e)) {
		scuot_h5_err_prefix(e, g, "indices");
		return e ? e->code : SCUOT_EINPUT;
	}
	return 0;
}

int scuot_h5_read_csr(hid_t g, int64_t nrow, int64_t ncol, int nonneg, scuot_csr **out, scuot_err *e)
{
	hid_t dd = -1, di = -1, dp = -1;
	int64_t nd, ni, np;
	scuot_csr *c = NULL;
	int ret, kind;
	*out = NULL;
	if ((dd = open_as(g, "data", H5I_DATASET, 1, e)) < 0 ||
	    (di = open_as(g, "indices", H5I_DATASET, 1, e)) < 0 ||
	    (dp = scuot_h5_dopen(g, "indptr", e)) < 0) {
		ret = e ? e->code : SCUOT_EINPUT;
		goto done;
	}
	if ((ret = scuot_h5_len(dd, &nd, e)) || (ret = scuot_h5_len(di, &ni, e)) ||
	    (ret = scuot_h5_len(dp, &np, e)))
		goto done;
	if (np != nrow + 1) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, dp, NULL, "has %lld entries, expected %lld (rows + 1)",
		                   (long long)np, (long long)(nrow + 1));
		goto done;
	}
	if (ni != nd) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, g, NULL, "data has %lld values but indices has %lld",
		                   (long long)nd, (long long)ni);
		goto done;
	}
	kind = scuot_h5_kind(dd);
	if (kind != SCUOT_H5_INT && kind != SCUOT_H5_FLOAT && kind != SCUOT_H5_BOOL) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, dd, NULL, "expected numbers, found %s", kind_name(kind));
		goto done;
	}
	if (scuot_h5_kind(dp) != SCUOT_H5_INT) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, dp, NULL, "expected integers, found %s",
		                   kind_name(scuot_h5_kind(dp)));
		goto done;
	}
	if (!(c = scuot_csr_new(nrow, ncol, nd, e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	if ((ret = read_rows(dp, H5T_NATIVE_INT64, 0, np, c->indptr, 0, e)))
		goto done;
	if (c->indptr[0] != 0 || c->indptr[nrow] != nd) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, dp, NULL,
		                   "runs from %lld to %lld, expected 0 to %lld (the number of "
		                   "stored values)",
		                   (long long)c->indptr[0], (long long)c->indptr[nrow], (long long)nd);
		goto done;
	}
	for (int64_t i = 0; i < nrow; i++)
		if (c->indptr[i + 1] < c->indptr[i]) {
			ret = scuot_h5_err(e, SCUOT_EINPUT, dp, NULL,
			                   "decreases at entry %lld (%lld after %lld): not "
			                   "monotone",
			                   (long long)(i + 1), (long long)c->indptr[i + 1],
			                   (long long)c->indptr[i]);
			goto done;
		}
	/* indices: range checked with the values below, in one pass */
	if ((ret = scuot_h5_read_idx32(di, c->indices, nd, -1, e)))
		goto done;
	if (kind == SCUOT_H5_BOOL) {
		uint8_t *b = scuot_alloc((size_t)nd, 1, 0, "booleans", e);
		if (!b)
			ret = e ? e->code : SCUOT_ENOMEM;
		else if (!(ret = read_bool_rows(dd, 0, nd, 0, b, e)))
			for (int64_t k = 0; k < nd; k++)
				c->data[k] = b[k];
		free(b);
	} else {
		ret = read_big(dd, H5T_NATIVE_FLOAT, nd, c->data, e);
	}
	if (ret || (ret = csr_finish(g, c, nonneg, e)))
		goto done;
	*out = c, c = NULL;
done:
	scuot_csr_free(c);
	scuot_h5_close(dd);
	scuot_h5_close(di);
	scuot_h5_close(dp);
	return ret;
}

int scuot_h5_read_dense_csr(hid_t d, int nonneg, scuot_csr **out, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK], nr, nc, rows, cap = 0, nnz = 0;
	int rank, kind = scuot_h5_kind(d), ret;
	double *blk = NULL;
	uint8_t *bb = NULL;
	scuot_csr *c = NULL;
	*out = NULL;
	if ((ret = scuot_h5_shape(d, &rank, dims, e)))
		return ret;
	if (rank != 2)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "has %d dimensions, expected a matrix", rank);
	if (kind != SCUOT_H5_INT && kind != SCUOT_H5_FLOAT && kind != SCUOT_H5_BOOL)
		return scuot_h5_err(e, SCUOT_EINPUT, d, NULL, "expected numbers, found %s", kind_name(kind));
	nr = dims[0], nc = dims[1];
	rows = nc ? ((int64_t)1 << 19) / nc : nr; /* ~4 MiB of doubles per block */
	if (rows < 1)
		rows = 1;
	if (rows > nr)
		rows = nr;
	if (!(c = scuot_csr_new(nr, nc, 0, e)))
		return e ? e->code : SCUOT_ENOMEM;
	if (!(blk = scuot_alloc((size_t)(rows * nc), sizeof *blk, 0, "matrix block", e)) ||
	    (kind == SCUOT_H5_BOOL && !(bb = scuot_alloc((size_t)(rows * nc), 1, 0, "matrix block", e)))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	for (int64_t r0 = 0; r0 < nr; r0 += rows) {
		int64_t cnt = nr - r0 < rows ? nr - r0 : rows;
		if (kind == SCUOT_H5_BOOL) {
			if ((ret = read_bool_rows(d, r0, cnt, 0, bb, e)))
				goto done;
			for (int64_t k = 0; k < cnt * nc; k++)
				blk[k] = bb[k];
		} else if ((ret = read_rows(d, H5T_NATIVE_DOUBLE, r0, cnt, blk, 0, e))) {
			goto done;
		}
		for (int64_t i = 0; i < cnt; i++) {
			const double *row = blk + i * nc;
			for (int64_t j = 0; j < nc; j++) {
				double v = row[j];
				if (v == 0)
					continue;
				const char *why = scuot_h5_bad_value(v, nonneg);
				if (why) {
					ret = scuot_h5_err(e, SCUOT_EINPUT, d, NULL,
					                   "row %lld, column %lld: value %g is %s",
					                   (long long)(r0 + i), (long long)j, v, why);
					goto done;
				}
				if (nnz == cap) {
					int64_t m = cap ? cap + cap / 2 : 1 << 16;
					int32_t *ix = scuot_realloc(c->indices, (size_t)m, sizeof *ix,
					                            "sparse indices", e);
					if (ix)
						c->indices = ix;
					float *dv = ix ? scuot_realloc(c->data, (size_t)m, sizeof *dv,
					                               "sparse values", e)
					               : NULL;
					if (!dv) {
						ret = e ? e->code : SCUOT_ENOMEM;
						goto done;
					}
					c->data = dv, cap = m;
				}
				c->indices[nnz] = (int32_t)j;
				c->data[nnz++] = (float)v;
			}
			c->indptr[r0 + i + 1] = nnz;
		}
	}
	c->nnz = nnz;
	*out = c, c = NULL;
done:
	free(blk);
	free(bb);
	scuot_csr_free(c);
	return ret;
}

/* ---- attributes (read) ---- */

int scuot_h5_attr_exists(hid_t obj, const char *name)
{
	htri_t r = H5Aexists(obj, name);
	if (r < 0)
		H5Eclear2(H5E_DEFAULT);
	return r > 0;
}

/* Open attribute name of obj, its type, kind and element count. */
static hid_t attr_open(hid_t obj, const char *name, hid_t *ft, int *kind, int64_t *n, scuot_err *e)
{
	int64_t dims[SCUOT_H5_MAXRANK];
	int rank;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT), sp = -1;
	*ft = -1;
	if (a < 0)
		return scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot open attribute %s", name);
	if ((sp = H5Aget_space(a)) < 0 || (*ft = H5Aget_type(a)) < 0) {
		scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot read attribute %s", name);
		goto fail;
	}
	if (space_shape(sp, obj, NULL, &rank, dims, e))
		goto fail;
	if (rank > 1) {
		scuot_h5_err(e, SCUOT_EINPUT, obj, NULL, "attribute %s has %d dimensions, expected at most 1",
		             name, rank);
		goto fail;
	}
	*n = rank == 0 ? 1 : dims[0];
	*kind = scuot_h5_type_kind(*ft);
	H5Sclose(sp);
	return a;
fail:
	scuot_h5_close(sp);
	scuot_h5_close(*ft);
	*ft = -1;
	H5Aclose(a);
	return e ? e->code : SCUOT_EINPUT;
}

int scuot_h5_attr_strs(hid_t obj, const char *name, char ***out, int64_t *n, scuot_err *e)
{
	hid_t a, ft;
	int kind, ret = 0;
	int64_t cnt;
	char **v = NULL;
	*out = NULL, *n = 0;
	if (!scuot_h5_attr_exists(obj, name))
		return 0;
	if ((a = attr_open(obj, name, &ft, &kind, &cnt, e)) < 0)
		return (int)a;
	if (kind != SCUOT_H5_STR && cnt > 0) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, obj, NULL, "attribute %s: expected strings, found %s",
		                   name, kind_name(kind));
		goto done;
	}
	if (!(v = scuot_alloc((size_t)(cnt ? cnt : 1), sizeof *v, 1, "strings", e))) {
		ret = e ? e->code : SCUOT_ENOMEM;
		goto done;
	}
	if (cnt > 0 && (ret = read_strings(a, 1, ft, cnt, 1, v, e))) {
		scuot_strs_free(v, cnt);
		goto done;
	}
	*out = v, *n = cnt;
done:
	scuot_h5_close(ft);
	H5Aclose(a);
	return ret;
}

int scuot_h5_attr_str(hid_t obj, const char *name, char **out, scuot_err *e)
{
	char **v = NULL;
	int64_t n = 0;
	int ret = scuot_h5_attr_strs(obj, name, &v, &n, e);
	*out = NULL;
	if (ret || !v)
		return ret;
	if (n != 1) {
		scuot_strs_free(v, n);
		return scuot_h5_err(e, SCUOT_EINPUT, obj, NULL,
		                    "attribute %s holds %lld strings, expected one", name, (long long)n);
	}
	*out = v[0];
	free(v);
	return 0;
}

int scuot_h5_attr_i64s(hid_t obj, const char *name, int64_t *out, int max, int *n, scuot_err *e)
{
	hid_t a, ft;
	int kind, ret = 0;
	int64_t cnt;
	*n = 0;
	if ((a = attr_open(obj, name, &ft, &kind, &cnt, e)) < 0)
		return (int)a;
	if (kind != SCUOT_H5_INT)
		ret = scuot_h5_err(e, SCUOT_EINPUT, obj, NULL, "attribute %s: expected integers, found %s",
		                   name, kind_name(kind));
	else if (cnt > max)
		ret = scuot_h5_err(e, SCUOT_EINPUT, obj, NULL,
		                   "attribute %s has %lld values, expected at most %d", name, (long long)cnt,
		                   max);
	else if (H5Aread(a, H5T_NATIVE_INT64, out) < 0)
		ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot read attribute %s", name);
	else
		*n = (int)cnt;
	scuot_h5_close(ft);
	H5Aclose(a);
	return ret;
}

int scuot_h5_attr_bool(hid_t obj, const char *name, int dflt, int *out, scuot_err *e)
{
	hid_t a, ft, mt = -1;
	int kind, ret = 0;
	int64_t cnt;
	unsigned char buf[16] = { 0 };
	*out = dflt;
	if (!scuot_h5_attr_exists(obj, name))
		return 0;
	if ((a = attr_open(obj, name, &ft, &kind, &cnt, e)) < 0)
		return (int)a;
	if (cnt != 1) {
		ret = scuot_h5_err(e, SCUOT_EINPUT, obj, NULL, "attribute %s holds %lld values, expected one",
		                   name, (long long)cnt);
	} else if (kind == SCUOT_H5_STR) {
		char *s = NULL;
		H5Aclose(a), a = -1;
		if (!(ret = scuot_h5_attr_str(obj, name, &s, e)))
			*out = strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0;
		free(s);
	} else if (kind == SCUOT_H5_BOOL || kind == SCUOT_H5_INT || kind == SCUOT_H5_FLOAT) {
		mt = kind == SCUOT_H5_BOOL ? H5Tget_native_type(ft, H5T_DIR_DEFAULT)
		                           : H5Tcopy(H5T_NATIVE_DOUBLE);
		if (mt < 0 || H5Tget_size(mt) > sizeof buf || H5Aread(a, mt, buf) < 0) {
			ret = scuot_h5_errh(e, SCUOT_EINPUT, obj, NULL, "cannot read attribute %s", name);
		} else if (kind == SCUOT_H5_BOOL) {
			int nz = 0;
			for (size_t b = 0; b < H5Tget_size(mt); b++)
				nz |= buf[b];
			*out = nz != 0;
		} else {
			double v;
			memcpy(&v, buf, sizeof v);
			*out = v != 0;
		}
	} else {
		ret = scuot_h5_err(e, SCUOT_EINPUT, obj, NULL, "attribute %s: expected a boolean, found %s",
		                   name, kind_name(kind));
	}
	scuot_h5_close(mt);
	scuot_h5_close(ft);
	scuot_h5_close(a);
	return ret;
}

/* ---- writing ---- */

hid_t scuot_h5_group(hid_t loc, const char *name, int dense_attrs, scuot_err *e)
{
	hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), g = -1;
	if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) < 0)
		goto fail;
	/* Tracking attribute creation order gives the group a version-2 object header, which can keep
	 * attributes in dense storage (a fractal heap) instead of the 64 KiB header: anndata does the same.
	 */
	if (gcpl >= 0 && dense_attrs &&
	    (H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED) < 0 ||
	     H5Pset_attr_phase_change(gcpl, 0, 0) < 0))
		goto fail;
	if (gcpl < 0 || (g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0)
		goto fail;
	H5Pclose(gcpl);
	return g;
fail:
	scuot_h5_errh(e, SCUOT_EIO, loc, name, "cannot create group");
	scuot_h5_close(gcpl);
	return e ? e->code : SCUOT_EIO;
}

int scuot_h5_set_encoding(hid_t obj, const char *type, const char *version, scuot_err *e)
{
	int ret = scuot_h5_attr_set_str(obj, "encoding-type", type, e);
	return ret ? ret : scuot_h5_attr_set_str(obj, "encoding-version", version, e);
}

static hid_t vstr_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

/* Byte j of element k goes to out[j * nel + k] (HDF5's shuffle filter). */
static void shuffle_bytes(const unsigned char *in, unsigned char *out, size_t nel, size_t el)
{
	for (size_t j = 0; j < el; j++) {
		unsigned char *plane = out + j * nel;
		for (size_t k = 0; k < nel; k++)
			plane[k] = in[k * el + j];
	}
}

/* The total elements of buf (el bytes each) as chunks of celems elements (rows rows) of the chunked dataset
 * ds, whose pipeline is shuffle then deflate: each chunk is padded with the fill value 0, shuffled and
 * compressed on the OpenMP threads exactly as HDF5's filters would do it, and stored with H5Dwrite_chunk
 * (serialized: HDF5 is not thread-safe).  Chunks are contiguous in buf because they span whole rows. */
static int write_chunks(hid_t ds, const unsigned char *buf, int64_t total, int64_t celems, int64_t rows,
                        size_t el, scuot_err *e)
{
	int64_t nch = (total + celems - 1) / celems, where = -1;
	size_t cbytes = (size_t)celems * el;
	uLong zcap = compressBound((uLong)cbytes);
	int state = 0; /* 1 out of memory, 2 compression failed, 3 write failed */
	int werrno = 0; /* errno of the failed write, from the thread that saw it */
	SCUOT_OMP(omp parallel)
	{
		unsigned char *pad = malloc(cbytes), *shuf = malloc(cbytes), *z = malloc(zcap);
		H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* threadsafe HDF5 keeps one error stack per thread */
		SCUOT_OMP(omp for ordered schedule(dynamic))
		for (int64_t k = 0; k < nch; k++) {
			size_t want =
			    (size_t)(total - k * celems < celems ? total - k * celems : celems) * el;
			const unsigned char *src = buf + (size_t)k * cbytes;
			uLongf zl = zcap;
			int st, rc = 0;
			SCUOT_OMP(omp atomic read)
			st = state;
			if (st) {
				rc = -1; /* an earlier chunk failed: nothing to do, but pass the ordered
				            region */
			} else if (!pad || !shuf || !z) {
				rc = 1;
			} else {
				if (want < cbytes) {
					memcpy(pad, src, want);
					memset(pad + want, 0, cbytes - want);
					src = pad;
				}
				if (el > 1) {
					shuffle_bytes(src, shuf, (size_t)celems, el);
					src = shuf;
				}
				if (compress2(z, &zl, src, (uLong)cbytes, DEFLATE_LEVEL) != Z_OK)
					rc = 2;
			}
			/* stored in chunk order, so the file is the same whatever the number of threads */
			SCUOT_OMP(omp ordered)
			if (!rc) {
				hsize_t off[SCUOT_H5_MAXRANK] = { 0 };
				off[0] = (hsize_t)(k * rows); /* chunk k starts at row k * rows */
				SCUOT_OMP(omp critical(scuot_hdf5))
				{
					errno = 0;
					if (H5Dwrite_chunk(ds, H5P_DEFAULT, 0, off, (size_t)zl, z) < 0) {
						rc = 3;
						if (!werrno)
							werrno = errno;
					}
					H5Eclear2(H5E_DEFAULT);
				}
			}
			if (rc > 0) {
				SCUOT_OMP(omp critical(scuot_h5_state))
				if (!state || k < where) {
					SCUOT_OMP(omp atomic write)
					state = rc;
					where = k;
				}
			}
		}
		free(pad);
		free(shuf);
		free(z);
	}
	switch (state) {
	case 0: return 0;
	case 1: return scuot_err_set(e, SCUOT_ENOMEM, "cannot allocate chunk buffers");
	case 2: return scuot_h5_err(e, SCUOT_EIO, ds, NULL, "cannot compress chunk %lld", (long long)where);
	default:
		return scuot_h5_err(e, SCUOT_EIO, ds, NULL, "cannot write chunk %lld: %s", (long long)where,
		                    werrno ? strerror(werrno) : "disk full or I/O error");
	}
}

int scuot_h5_write(hid_t loc, const char *name, hid_t memtype, hid_t filetype, int rank, const int64_t *dims,
                   const void *buf, const char *enc_type, const char *enc_version, scuot_err *e)
{
	hsize_t hd[SCUOT_H5_MAXRANK], ch[SCUOT_H5_MAXRANK];
	hid_t sp = -1, dcpl = -1, ds = -1;
	int64_t total = nelem(rank, dims);
	int ret = 0;
	if (rank < 0 || rank > SCUOT_H5_MAXRANK || total < 0)
		return scuot_h5_err(e, SCUOT_EINTERNAL, loc, name, "cannot write a dataset of rank %d", rank);
	for (int i = 0; i < rank; i++)
		hd[i] = (hsize_t)dims[i];
	sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, hd, NULL);
	/* no modification times in object headers: the same object gives the same bytes */
	if (sp < 0 || (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 || H5Pset_obj_track_times(dcpl, 0) < 0)
		goto fail;
	if (rank > 0 && total > 0) {
		/* chunks of at most CHUNK_BYTES, filled from the last dimension (whole rows when they fit) */
		size_t el = H5Tget_size(filetype);
		int64_t budget = (int64_t)(CHUNK_BYTES / (el ? el : 1));
		for (int i = rank - 1; i >= 0; i--) {
			int64_t c = budget < 1 ? 1 : budget;
			ch[i] = (hsize_t)(c < dims[i] ? c : dims[i]);
			budget /= (int64_t)ch[i];
		}
		if (H5Pset_chunk(dcpl, rank, ch) < 0)
			goto fail;
		if (H5Tis_variable_str(filetype) <= 0 && H5Pset_shuffle(dcpl) < 0)
			goto fail;
		if (H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0)
			goto fail;
	}
	if ((ds = H5Dcreate2(loc, name, filetype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0)
		goto fail;
	if (total > 0 && rank > 0 && H5Tis_variable_str(filetype) <= 0 && H5Tequal(memtype, filetype) > 0) {
		/* whole-row chunks of a stored type equal to the memory type: compressed on all threads */
		int64_t celems = 1, whole = 1;
		for (int i = 0; i < rank; i++) {
			celems *= (int64_t)ch[i];
			whole &= i == 0 || (int64_t)ch[i] == dims[i];
		}
		if (whole && total > celems) {
			ret = write_chunks(ds, buf, total, celems, (int64_t)ch[0], H5Tget_size(filetype), e);
			if (!ret && enc_type)
				ret = scuot_h5_set_encoding(ds, enc_type, enc_version, e);
			goto done;
		}
	}
	if (total > 0 && H5Dwrite(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
		goto fail;
	if (enc_type)
		ret = scuot_h5_set_encoding(ds, enc_type, enc_version, e);
	goto done;
fail:
	ret = scuot_h5_errh(e, SCUOT_EIO, loc, name, "cannot write dataset");
done:
	scuot_h5_close(ds);
	scuot_h5_close(dcpl);
	scuot_h5_close(sp);
	return ret;
}

int scuot_h5_write_strs(hid_t loc, const char *name, char *const *s, int64_t n, int rank,
                        const char *enc_type, const char *enc_version, scuot_err *e)
{
	static char empty[] = "";
	char **t = NULL;
	const void *buf = s;
	hid_t st = vstr_type();
	int ret;
	if (st < 0)
		return scuot_h5_errh(e, SCUOT_EIO, loc, name, "cannot create a string type");
	for (int64_t i = 0; i < n && !t; i++)
		if (!s[i]) {
			if (!(t = scuot_alloc((size_t)n, sizeof *t, 0, "strings", e))) {
				H5Tclose(st);
				return e ? e->code : SCUOT_ENOMEM;
			}
			for (int64_t j = 0; j < n; j++)
				t[j] = s[j] ? s[j] : empty;
			buf = t;
		}
	ret = scuot_h5_write(loc, name, st, st, rank, &n, buf, enc_type, enc_version, e);
	free(t);
	H5Tclose(st);
	return ret;
}

/* Create attribute name on obj (replacing one that exists) and write buf. */
static int attr_write(hid_t obj, const char *name, hid_t ft, hid_t mt, hid_t sp, const void *buf,
                      scuot_err *e)
{
	hid_t a;
	int ret = 0;
	if (scuot_h5_attr_exists(obj, name) && H5Adelete(obj, name) < 0)
		return scuot_h5_errh(e, SCUOT_EIO, obj, NULL, "cannot replace attribute %s", name);
	if ((a = H5Acreate2(obj, name, ft, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
	    (buf && H5Awrite(a, mt, buf) < 0))
		ret = scuot_h5_errh(e, SCUOT_EIO, obj, NULL, "cannot write attribute %s", name);
	scuot_h5_close(a);
	return ret;
}

int scuot_h5_attr_set_str(hid_t obj, const char *name, const char *value, scuot_err *e)
{
	hid_t st = vstr_type(), sp = H5Screate(H5S_SCALAR);
	int ret = st < 0 || sp < 0 ? scuot_h5_errh(e, SCUOT_EIO, obj, NULL, "cannot write attribute %s", name)
	                           : attr_write(obj, name, st, st, sp, &value, e);
	scuot_h5_close(st);
	scuot_h5_close(sp);
	return ret;
}

int scuot_h5_attr_set_strs(hid_t obj, const char *name, char *const *s, int64_t n, scuot_err *e)
{
	hsize_t d = (hsize_t)n;
	hid_t st = n ? vstr_type() : H5Tcopy(H5T_IEEE_F64LE), sp = H5Screate_simple(1, &d, NULL);
	int ret = st < 0 || sp < 0 ? scuot_h5_errh(e, SCUOT_EIO, obj, NULL, "cannot write attribute %s", name)
	                           : attr_write(obj, name, st, st, sp, n ? (const void *)s : NULL, e);
	scuot_h5_close(st);
	scuot_h5_close(sp);
	return ret;
}

int scuot_h5_attr_set_i64s(hid_t obj, const char *name, const int64_t *v, int n, scuot_err *e)
{
	hsize_t d = (hsize_t)n;
	hid_t sp = H5Screate_simple(1, &d, NULL);
	int ret = sp < 0 ? scuot_h5_errh(e, SCUOT_EIO, obj, NULL, "cannot write attribute %s", name)
	                 : attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, sp, v, e);
	scuot_h5_close(sp);
	return ret;
}

int scuot_h5_attr_set_bool(hid_t obj, const char *name, int value, scuot_err *e)
{
	int8_t v = value != 0;
	hid_t bt = scuot_h5_bool_type(), sp = H5Screate(H5S_SCALAR);
	int ret = bt < 0 || sp < 0 ? scuot_h5_errh(e, SCUOT_EIO, obj, NULL, "cannot write attribute %s", name)
	                           : attr_write(obj, name, bt, bt, sp, &v, e);
	scuot_h5_close(bt);
	scuot_h5_close(sp);
	return ret;
}

int scuot_h5_write_file(const char *path, int (*body)(hid_t f, const void *ctx, scuot_err *e), const void *ctx,
                        scuot_err *e)
{
	scuot_outfile *o = NULL;
	hid_t f = -1;
	int ret;
	if (!(o = scuot_outfile_open(path, 0, e)))
		return e ? e->code : SCUOT_EIO;
	if ((f = scuot_h5_create(o->tmp, e)) < 0) {
		ret = (int)f;
		goto fail;
	}
	if ((ret = body(f, ctx, e)))
		goto fail;
	ret = H5Fclose(f);
	f = -1;
	if (ret < 0) {
		ret = scuot_err_sys(e, SCUOT_EIO, "%s: cannot finish writing the HDF5 file", path);
		goto fail;
	}
	return scuot_outfile_commit(o, e);
fail:
	scuot_h5_err_rename(e, o->tmp, path);
	scuot_h5_close(f);
	scuot_outfile_abort(o);
	return ret;
}
