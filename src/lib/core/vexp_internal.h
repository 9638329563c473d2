/* vexp_internal.h -- not a public header: exp as straight-line code that vectorises inside `#pragma omp simd`
 * loops (the Gaussian tiles of flow/kernel.c, the kernel rows of ot/sinkhorn.c). */
#ifndef SCUOT_CORE_VEXP_INTERNAL_H
#define SCUOT_CORE_VEXP_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* (exp(r) - 1 - r) / r^2 = 1/2 + r/6 + ... + r^11/13! by Horner's rule: the Taylor polynomial of exp (and of
 * expm1) without its first two terms, for |r| <= ln 2 / 2. */
static inline __attribute__((always_inline)) double scuot_vexp_tail(double r)
{
	double p = 1.0 / 6227020800.0;
	p = p * r + 1.0 / 479001600.0;
	p = p * r + 1.0 / 39916800.0;
	p = p * r + 1.0 / 3628800.0;
	p = p * r + 1.0 / 362880.0;
	p = p * r + 1.0 / 40320.0;
	p = p * r + 1.0 / 5040.0;
	p = p * r + 1.0 / 720.0;
	p = p * r + 1.0 / 120.0;
	p = p * r + 1.0 / 24.0;
	p = p * r + 1.0 / 6.0;
	return p * r + 0.5;
}

/* exp(tc) for tc in [-746, 709] as p * 2^(k - k2) * 2^k2: Cody & Waite reduction tc = k ln 2 + r with fdlibm's
 * split of ln 2, |r| <= ln 2 / 2, exp(r) by its Taylor polynomial of degree 13 (truncation below 1e-17
 * relative), 2^k built in the exponent bits (in two factors when k2 != 0, for the subnormal results); within
 * 2 ulp of libm's exp. */
static inline __attribute__((always_inline)) double scuot_vexp_core(double tc, int64_t k2)
{
	const double log2e = 1.44269504088896338700e+00, ln2hi = 6.93147180369123816490e-01,
	             ln2lo = 1.90821492927058770002e-10, shift = 0x1.8p52;
	double sh = tc * log2e + shift, kd = sh - shift, r, p, sc, sc2;
	uint64_t bits, b2; /* unsigned: the shifts below drop high bits by definition (NaN input, the subnormal
	                    * split), where a signed shift would be undefined */
	r = (tc - kd * ln2hi) - kd * ln2lo;
	p = scuot_vexp_tail(r);
	p = p * r + 1.0;
	p = p * r + 1.0;
	memcpy(&bits, &sh, sizeof bits); /* the low bits of sh hold k + 2^51 */
	bits = (bits - ((uint64_t)0x4338 << 48) - (uint64_t)k2 + 1023) << 52;
	b2 = (uint64_t)(k2 + 1023) << 52;
	memcpy(&sc, &bits, sizeof sc);
	memcpy(&sc2, &b2, sizeof sc2);
	return p * sc * sc2;
}

/* exp(t) for t <= 0, and 0 below -708 (where exp is below 1e-307 or subnormal). */
static inline __attribute__((always_inline)) double scuot_vexp_neg(double t)
{
	double p = scuot_vexp_core(t < -708 ? -708 : t, 0);
	return t < -708 ? 0.0 : p;
}

/* exp(t) over the whole range: +inf above 709, the subnormal results of t in [-746, -708], 0 below, NaN for
 * NaN. */
static inline __attribute__((always_inline)) double scuot_vexp(double t)
{
	double tc = t < -746 ? -746 : t;
	tc = tc > 709 ? 709 : tc;
	double p = scuot_vexp_core(tc, t < -700 ? -64 : 0);
	p = t > 709 ? INFINITY : p;
	return t < -746 ? 0.0 : p;
}

#endif
