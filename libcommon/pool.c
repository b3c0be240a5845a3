/* pool.c - see pool.h */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "diag.h"
#include "pool.h"
#include "xalloc.h"

enum { FREE, QUEUED, RUNNING, DONE };

struct slot {
	void *job;
	int state;
};

struct sl_pool {
	pthread_mutex_t mu;
	pthread_cond_t work_cv;   /* a job was queued, or stop */
	pthread_cond_t done_cv;   /* a job finished */
	struct slot *slots;
	size_t cap;
	size_t head;              /* oldest uncollected */
	size_t next;              /* oldest not yet taken by a worker */
	size_t count;             /* uncollected */
	size_t queued;            /* submitted, not taken */
	int stop;
	int nworkers;
	pthread_t *threads;
	void (*work)(void *, void *);
	void *(*init)(void *);
	void (*fini)(void *);
	void *arg;
	void *inline_state;       /* nworkers == 0 */
};

static void *
worker(void *arg)
{
	struct sl_pool *p = arg;
	void *state = p->init ? p->init(p->arg) : NULL;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct slot *s;

		while (p->queued == 0 && !p->stop)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (p->queued == 0 && p->stop)
			break;
		s = &p->slots[p->next];
		p->next = (p->next + 1) % p->cap;
		p->queued--;
		s->state = RUNNING;
		pthread_mutex_unlock(&p->mu);
		p->work(s->job, state);
		pthread_mutex_lock(&p->mu);
		s->state = DONE;
		pthread_cond_broadcast(&p->done_cv);
	}
	pthread_mutex_unlock(&p->mu);
	if (p->fini)
		p->fini(state);
	return NULL;
}

struct sl_pool *
sl_pool_new(int nworkers, size_t max_inflight, void (*work)(void *, void *),
    void *(*init)(void *), void (*fini)(void *), void *arg)
{
	struct sl_pool *p = sl_calloc(1, sizeof(*p));

	if (max_inflight == 0)
		max_inflight = 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	p->cap = max_inflight;
	p->slots = sl_calloc(p->cap, sizeof(*p->slots));
	p->work = work;
	p->init = init;
	p->fini = fini;
	p->arg = arg;
	p->nworkers = nworkers;
	if (nworkers == 0) {
		p->inline_state = init ? init(arg) : NULL;
		return p;
	}
	p->threads = sl_calloc((size_t)nworkers, sizeof(*p->threads));
	for (int i = 0; i < nworkers; i++)
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			sl_die(SL_EX_SOFTWARE, "cannot start a worker thread");
	return p;
}

int
sl_pool_full(const struct sl_pool *p)
{
	return p->count == p->cap;
}

size_t
sl_pool_pending(const struct sl_pool *p)
{
	return p->count;
}

void
sl_pool_submit(struct sl_pool *p, void *job)
{
	struct slot *s;

	if (p->count == p->cap)
		sl_die(SL_EX_SOFTWARE, "internal error: pool overfull");
	pthread_mutex_lock(&p->mu);
	s = &p->slots[(p->head + p->count) % p->cap];
	s->job = job;
	p->count++;
	if (p->nworkers == 0) {
		pthread_mutex_unlock(&p->mu);
		p->work(job, p->inline_state);
		s->state = DONE;
		p->next = (p->next + 1) % p->cap;
		return;
	}
	s->state = QUEUED;
	p->queued++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
}

void *
sl_pool_collect(struct sl_pool *p, int wait)
{
	struct slot *s;
	void *job;

	if (p->count == 0)
		return NULL;
	pthread_mutex_lock(&p->mu);
	s = &p->slots[p->head];
	while (s->state != DONE) {
		if (!wait) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		pthread_cond_wait(&p->done_cv, &p->mu);
	}
	job = s->job;
	s->state = FREE;
	s->job = NULL;
	p->head = (p->head + 1) % p->cap;
	p->count--;
	pthread_mutex_unlock(&p->mu);
	return job;
}

void
sl_pool_free(struct sl_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nworkers; i++)
		pthread_join(p->threads[i], NULL);
	if (p->nworkers == 0 && p->fini)
		p->fini(p->inline_state);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->done_cv);
	free(p->threads);
	free(p->slots);
	free(p);
}

int
sl_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
