/* progress.c -- progress bar on a terminal, a line every ~10% otherwise (see progress.h).
 * Output goes through stderr directly since it is redrawn in place; it respects the log level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/progress.h"

struct scuot_progress {
	char label[64];
	int64_t total, done;
	int tty, last_decile;
	double t0, last_draw;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

scuot_progress *scuot_progress_new(const char *label, int64_t total)
{
	scuot_progress *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	snprintf(p->label, sizeof p->label, "%s", label);
	p->total = total;
	p->tty = isatty(STDERR_FILENO);
	p->last_decile = 0;
	p->t0 = p->last_draw = now();
	return p;
}

static void draw(scuot_progress *p, int final)
{
	double el = now() - p->t0;
	if (p->total > 0) {
		double f = (double)p->done / p->total;
		if (f > 1)
			f = 1;
		if (p->tty) {
			int w = 30, k = (int)(f * w);
			char bar[31];
			memset(bar, '#', k);
			memset(bar + k, '-', w - k);
			bar[w] = 0;
			double eta = f > 0 ? el * (1 - f) / f : 0;
			fprintf(stderr, "\r%s: %s [%s] %3.0f%% %.1fs eta %.1fs%s", scuot_log_prog(), p->label, bar,
			        100 * f, el, eta, final ? "\n" : "");
		} else {
			fprintf(stderr, "%s: %s %.0f%% (%lld/%lld) %.1fs\n", scuot_log_prog(), p->label, 100 * f,
			        (long long)p->done, (long long)p->total, el);
		}
	} else {
		fprintf(stderr, p->tty ? "\r%s: %s %lld %.1fs%s" : "%s: %s %lld %.1fs\n%s", scuot_log_prog(), p->label,
		        (long long)p->done, el, final && p->tty ? "\n" : "");
	}
	fflush(stderr);
}

void scuot_progress_update(scuot_progress *p, int64_t done)
{
	if (!p || scuot_log_level() < SCUOT_LOG_INFO)
		return;
	p->done = done;
	if (p->tty) {
		double t = now();
		if (t - p->last_draw >= 0.2) {
			p->last_draw = t;
			draw(p, 0);
		}
	} else if (p->total > 0) {
		int dec = (int)(10 * (double)done / p->total);
		if (dec > p->last_decile && dec < 10) {
			p->last_decile = dec;
			draw(p, 0);
		}
	}
}

void scuot_progress_finish(scuot_progress *p)
{
	if (!p)
		return;
	if (scuot_log_level() >= SCUOT_LOG_INFO && (p->tty || now() - p->t0 > 1.0)) {
		if (p->total > 0)
			p->done = p->total;
		draw(p, 1);
	}
	free(p);
}
