/* methods.c -- the one table of transport methods: scuot-transport, scuot-interpolate, scuot-rank and the
 * tests reach every method through it.  Each method's object is defined beside its algorithm. */
#include <string.h>

#include "ot/ot_internal.h"

static const scuot_ot_method *const table[] = {
	&scuot_method_emd,
	&scuot_method_sinkhorn,
	&scuot_method_uot,
	&scuot_method_wfr,
	&scuot_method_ksd,
	&scuot_method_kusd,
	&scuot_method_ift,
	&scuot_method_mmdflow,
	&scuot_method_wfrflow,
	&scuot_method_nsd,
	&scuot_method_nusd,
	&scuot_method_nusd_bd,
	&scuot_method_uotgan,
	&scuot_method_uotdual,
	&scuot_method_swfr,
	NULL
};

const scuot_ot_method *scuot_ot_methods(int *n)
{
	static scuot_ot_method flat[sizeof table / sizeof table[0]];
	static int n_flat = -1;
	if (n_flat < 0) { /* the table holds pointers to objects in other files: copy them once */
		n_flat = 0;
		for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
			if (table[k])
				flat[n_flat++] = *table[k];
	}
	*n = n_flat;
	return flat;
}

const scuot_ot_method *scuot_ot_method_find(const char *name)
{
	int n;
	const scuot_ot_method *m = scuot_ot_methods(&n);
	for (int k = 0; k < n; k++)
		if (!strcmp(m[k].name, name))
			return &m[k];
	return NULL;
}
