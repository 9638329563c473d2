/* rng.c -- GSL random streams derived from (seed, stream id).
 * SplitMix64 (Steele, Lea and Flood 2014) mixes the pair into the generator's seed. */
#include "core/rng.h"

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t scuot_rng_derive(uint64_t seed, uint64_t stream)
{
	return splitmix64(splitmix64(seed) ^ (stream * 0xd1342543de82ef95ULL + 1));
}

void scuot_rng_reseed(gsl_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t s = scuot_rng_derive(seed, stream);
	/* mt19937 takes an unsigned long; 0 would select GSL's default seed, so avoid it. */
	unsigned long v = (unsigned long)(s ^ (s >> 32));
	gsl_rng_set(r, v ? v : 0x5eed);
}

gsl_rng *scuot_rng_new(uint64_t seed, uint64_t stream, scuot_err *e)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r) {
		scuot_err_set(e, SCUOT_ENOMEM, "cannot allocate a random-number stream");
		return NULL;
	}
	scuot_rng_reseed(r, seed, stream);
	return r;
}
