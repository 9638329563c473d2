/* threads.c -- thread counts for OpenMP loops and OpenBLAS calls (see threads.h).
 * OpenBLAS is told through openblas_set_num_threads, resolved weakly so other BLAS builds link. */
#include <stdlib.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/threads.h"

void openblas_set_num_threads(int) __attribute__((weak));

static int threads_now = 0;

static int env_count(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long v;
	if (!s || !*s)
		return 0;
	v = strtol(s, &end, 10);
	return (*end == 0 || *end == ',') && v > 0 && v < 4096 ? (int)v : 0;
}

int scuot_threads_default(void)
{
	int n = env_count("OMP_NUM_THREADS");
	if (!n)
		n = env_count("OPENBLAS_NUM_THREADS");
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
	}
	return n;
}

int scuot_threads_set(int n)
{
	if (n < 1)
		n = scuot_threads_default();
	threads_now = n;
#ifdef _OPENMP
	omp_set_num_threads(n);
#endif
	if (openblas_set_num_threads)
		openblas_set_num_threads(n);
	return n;
}

int scuot_threads_get(void)
{
	return threads_now ? threads_now : scuot_threads_default();
}

int scuot_threads_have_openmp(void)
{
#ifdef _OPENMP
	return 1;
#else
	return 0;
#endif
}
