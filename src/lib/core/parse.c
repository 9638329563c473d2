/* parse.c -- strict number and size parsing (see parse.h).
 * Based on strtoll/strtod with full-consumption and range checks, as samtools parse_int_value. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/parse.h"
#include "core/sys.h"

int scuot_parse_int64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int scuot_parse_double(const char *s, double *out)
{
	char *end;
	double v;
	if (!s)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end || errno == ERANGE || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int scuot_parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;
	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -1;
	if (*end == '%') {
		if (end[1] || v > 100)
			return -1;
		*out = (uint64_t)(v / 100.0 * (double)scuot_sys_phys_mem());
		return 0;
	}
	double mult = 1;
	switch (toupper((unsigned char)*end)) {
	case 0: break;
	case 'K': mult = 1024.0, end++; break;
	case 'M': mult = 1024.0 * 1024, end++; break;
	case 'G': mult = 1024.0 * 1024 * 1024, end++; break;
	case 'T': mult = 1024.0 * 1024 * 1024 * 1024, end++; break;
	default: return -1;
	}
	if (*end && strcasecmp(end, "B") && strcasecmp(end, "iB"))
		return -1;
	if (v * mult >= 1.8e19)
		return -1;
	*out = (uint64_t)(v * mult);
	return 0;
}
