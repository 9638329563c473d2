/* text_internal.h -- NOT a public header: helpers shared by the text readers (mtx.c, text.c).
 * A fast exact number parser for the hot loops and a duplicate finder for id lists. */
#ifndef SCUOT_IO_TEXT_INTERNAL_H
#define SCUOT_IO_TEXT_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"

/* Parse a decimal number starting at p (no leading blanks): [+-]digits[.digits][(e|E)[+-]digits].
 * Returns the first byte after it, or NULL when p does not start a number.  Numbers of at most 19
 * significant digits with a mantissa below 2^53 and a decimal exponent within +-22 take Clinger's
 * fast path (one exact multiplication or division, hence correctly rounded); the rest (long
 * mantissas, large exponents, nan, inf) goes through strtod, so the value always equals strtod's.
 * Hexadecimal is not accepted: "0x10" stops after the "0". */
static inline const char *scuot_text_num(const char *p, double *out)
{
	static const double p10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
		                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *s = p, *d0;
	uint64_t m = 0;
	int neg = 0, nd, e10 = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	d0 = p;
	while ((unsigned)(*p - '0') < 10)
		m = m * 10 + (unsigned)(*p++ - '0');
	nd = (int)(p - d0);
	if (*p == '.') {
		const char *f0 = ++p;
		while ((unsigned)(*p - '0') < 10)
			m = m * 10 + (unsigned)(*p++ - '0');
		e10 = -(int)(p - f0);
		nd -= e10;
	}
	if (nd == 0 || nd > 19)
		goto slow;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		int eneg = 0, ev = 0, ne = 0;
		if (*q == '-' || *q == '+')
			eneg = *q++ == '-';
		while ((unsigned)(*q - '0') < 10 && ne < 6)
			ev = ev * 10 + (*q++ - '0'), ne++;
		if (ne == 0 || ne == 6)
			goto slow;
		e10 += eneg ? -ev : ev;
		p = q;
	}
	if (m > ((uint64_t)1 << 53) || e10 < -22 || e10 > 22)
		goto slow;
	double v = (double)m;
	if (e10 < 0)
		v /= p10[-e10];
	else if (e10 > 0)
		v *= p10[e10];
	*out = neg ? -v : v;
	return p;
slow:;
	char *end;
	if (*s == ' ' || (unsigned)(*s - '\t') < 5) /* strtod would skip leading white space */
		return NULL;
	double w = strtod(s, &end);
	if (end == s)
		return NULL;
	*out = w;
	return end;
}

/* Look for a repeated string in s[0..n).  Returns 1 with *first < *second the positions of the
 * earliest repeat (s[*second] equals the earlier s[*first]), 0 when all are distinct, or a negative
 * code (e filled) when the hash table cannot be allocated.  NULL entries are skipped. */
int scuot_text_find_dup(char *const *s, int64_t n, int64_t *first, int64_t *second, scuot_err *e);

#endif
