/* sys.c -- physical memory, peak RSS and clocks (see sys.h).
 * Linux first (sysconf, cgroup v2 memory.max, getrusage); portable fallbacks otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/sys.h"

uint64_t scuot_sys_phys_mem(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t mem = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;
	FILE *fp = fopen("/sys/fs/cgroup/memory.max", "r");
	if (fp) {
		unsigned long long lim;
		if (fscanf(fp, "%llu", &lim) == 1 && lim > 0 && (mem == 0 || lim < mem))
			mem = lim;
		fclose(fp);
	}
	return mem;
}

uint64_t scuot_sys_rss(void)
{
	unsigned long size = 0, resident = 0;
	FILE *fp = fopen("/proc/self/statm", "r");
	if (!fp)
		return 0;
	if (fscanf(fp, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(fp);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

uint64_t scuot_sys_peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024; /* kilobytes on Linux */
}

double scuot_sys_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double scuot_sys_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}
