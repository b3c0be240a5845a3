/*
 * test-pool.c - the ordered worker pool: results come back in submission
 * order whatever the threads do, with 0 to 4 workers, and the pool never
 * holds more than max_inflight jobs.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "pool.h"
#include "tap.h"

struct job {
	unsigned id;
	unsigned delay_us;
	unsigned result;
	int worker_saw;          /* the state init() made for that worker */
};

static int inits, finis;

static void *
init(void *arg)
{
	int *s = malloc(sizeof(*s));

	(void)arg;
	*s = 7;
	__atomic_add_fetch(&inits, 1, __ATOMIC_SEQ_CST);
	return s;
}

static void
fini(void *state)
{
	free(state);
	__atomic_add_fetch(&finis, 1, __ATOMIC_SEQ_CST);
}

static void
work(void *job, void *state)
{
	struct job *j = job;
	struct timespec ts = { 0, (long)j->delay_us * 1000 };

	nanosleep(&ts, NULL);
	j->result = j->id * 2654435761u;
	j->worker_saw = *(int *)state;
}

/* splitmix-style, seeded: the same delays on every run */
static uint64_t seed = 42;
static unsigned
rnd(unsigned n)
{
	uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (unsigned)((z ^ (z >> 31)) % n);
}

static void
run(int nworkers, size_t inflight, unsigned njobs)
{
	struct job *jobs = calloc(njobs, sizeof(*jobs));
	struct sl_pool *p;
	unsigned next = 0, got = 0, bad = 0, over = 0;
	struct job *j;

	inits = finis = 0;
	p = sl_pool_new(nworkers, inflight, work, init, fini, NULL);
	for (unsigned i = 0; i < njobs; i++) {
		jobs[i].id = i;
		/* later jobs often finish first */
		jobs[i].delay_us = rnd(4) == 0 ? 2000 + rnd(2000) : rnd(200);
	}
	while (got < njobs) {
		if (next < njobs && !sl_pool_full(p)) {
			sl_pool_submit(p, &jobs[next++]);
			if (sl_pool_pending(p) > inflight)
				over++;
			continue;
		}
		j = sl_pool_collect(p, 1);
		if (j == NULL || j->id != got || j->result != got * 2654435761u ||
		    j->worker_saw != 7)
			bad++;
		got++;
	}
	ok(sl_pool_collect(p, 0) == NULL && sl_pool_collect(p, 1) == NULL,
	    "%d workers: nothing left to collect", nworkers);
	sl_pool_free(p);
	ok(bad == 0, "%d workers, %zu in flight: %u jobs came back in order with "
	    "their results (%u out of place)", nworkers, inflight, njobs, bad);
	ok(over == 0, "%d workers: never more than %zu jobs held", nworkers,
	    inflight);
	is_int(inits, nworkers ? nworkers : 1, "%d workers: init once per worker",
	    nworkers);
	is_int(finis, inits, "%d workers: fini for every init", nworkers);
	free(jobs);
}

int
main(void)
{
	run(0, 3, 200);
	run(1, 1, 200);
	run(2, 6, 500);
	run(4, 10, 500);
	ok(sl_ncpu() >= 1, "sl_ncpu is at least 1");
	return tap_done();
}
