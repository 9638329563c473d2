/* vmath_internal.h -- not a public header: expm1, tanh and log1p as straight-line code that vectorises inside
 * `#pragma omp simd` loops, for the elementwise operations of the neural network engine (nn/ops.c: tanh and
 * log cosh of OT-Flow's potential, softplus, sigmoid).  Each is within a few ulp of glibc's function
 * (tests/unit/test_core.c checks them against libm); glibc's scalar calls took about a third of a swfr
 * training iteration. */
#ifndef SCUOT_CORE_VMATH_INTERNAL_H
#define SCUOT_CORE_VMATH_INTERNAL_H

#include <math.h>

#include "core/vexp_internal.h"

/* expm1(t): the Taylor polynomial of degree 13 on |t| <= ln 2 / 2 (the next term is below 1e-17 of the
 * result there, and no cancellation), exp(t) - 1 outside (where exp(t) - 1 loses at most 2 bits); +inf above
 * 709, -1 below -746, NaN for NaN. */
static inline __attribute__((always_inline)) double scuot_vexpm1(double t)
{
	double p = scuot_vexp_tail(t);
	p = t + t * (t * p);
	double big = scuot_vexp(t) - 1.0;
	return fabs(t) <= 0.34657359027997264 ? p : big;
}

/* tanh(x) = sign(x) E / (E + 2) with E = expm1(2 |x|); |x| is capped at 20, where tanh rounds to 1.  Signed
 * zeros and NaN pass through. */
static inline __attribute__((always_inline)) double scuot_vtanh(double x)
{
	double a = fabs(x);
	a = a > 20 ? 20 : a; /* not a < 20 ? a : 20, which would turn NaN into 20 */
	double E = scuot_vexpm1(2 * a);
	return copysign(E / (E + 2), x);
}

/* log1p(t) for t in [0, 1] (what log cosh and softplus need: t = e^{-2|x|} or e^{-|x|}): 1 + t = 2^k (1 + f)
 * with k = 0, f = t for t <= sqrt 2 - 1 and k = 1, f = (t - 1) / 2 above, so |f| <= sqrt 2 - 1; then log(1 + f)
 * = 2 atanh(s), s = f / (2 + f), |s| <= 0.1716, by its series to s^21 (the next term is below 1e-18). */
static inline __attribute__((always_inline)) double scuot_vlog1p01(double t)
{
	const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10;
	int hi = t > 0.41421356237309503;
	double f = hi ? (t - 1) * 0.5 : t, s = f / (2 + f), z = s * s, p;
	p = 1.0 / 21.0;
	p = p * z + 1.0 / 19.0;
	p = p * z + 1.0 / 17.0;
	p = p * z + 1.0 / 15.0;
	p = p * z + 1.0 / 13.0;
	p = p * z + 1.0 / 11.0;
	p = p * z + 1.0 / 9.0;
	p = p * z + 1.0 / 7.0;
	p = p * z + 1.0 / 5.0;
	p = p * z + 1.0 / 3.0;
	double l = 2 * s + 2 * s * (z * p);
	return hi ? ln2hi + (l + ln2lo) : l;
}

#endif
