/* rng.h -- reproducible GSL random-number streams with explicit seeds.
 * A stream is derived from (seed, stream id); give each cell or block its own id, never each
 * thread, so results do not depend on the thread count. */
#ifndef SCUOT_CORE_RNG_H
#define SCUOT_CORE_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/defs.h"
#include "core/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mix (seed, stream) into a 64-bit seed (SplitMix64 finaliser over both words). */
SCUOT_EXPORT uint64_t scuot_rng_derive(uint64_t seed, uint64_t stream);
/* New mt19937 stream seeded from scuot_rng_derive(seed, stream); NULL with e filled.
 * Free with gsl_rng_free. */
SCUOT_EXPORT gsl_rng *scuot_rng_new(uint64_t seed, uint64_t stream, scuot_err *e);
/* Re-seed an existing stream to (seed, stream). */
SCUOT_EXPORT void scuot_rng_reseed(gsl_rng *r, uint64_t seed, uint64_t stream);

#ifdef __cplusplus
}
#endif
#endif
