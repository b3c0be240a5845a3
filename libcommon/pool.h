/*
 * pool.h - ordered parallel work: the main thread submits jobs, worker
 * threads run them, and the main thread collects the results in the order it
 * submitted them.  Output order, and so every byte a tool writes, does not
 * depend on thread timing.
 *
 *   p = sl_pool_new(nworkers, 8, work, NULL, NULL, NULL);
 *   for each batch:
 *           while ((j = sl_pool_collect(p, sl_pool_full(p))) != NULL)
 *                   write j's output;
 *           sl_pool_submit(p, batch);
 *   while ((j = sl_pool_collect(p, 1)) != NULL) write j's output;
 *   sl_pool_free(p);
 *
 * Memory stays bounded: at most max_inflight jobs are in the pool at once
 * (callers bound the size of a job).  Workers record errors in their job
 * for the main thread to report in order; a worker that dies anyway (out of
 * memory) exits without the exit hooks.  With nworkers == 0 jobs run in
 * submit().
 */
#ifndef SL_POOL_H
#define SL_POOL_H

#include <stddef.h>

struct sl_pool;

/* work(job, state): state is what init(arg) returned for this worker. */
struct sl_pool *sl_pool_new(int nworkers, size_t max_inflight,
    void (*work)(void *job, void *state), void *(*init)(void *arg),
    void (*fini)(void *state), void *arg);
/* Queues a job; the caller must first make room (sl_pool_full() is 0). */
void sl_pool_submit(struct sl_pool *p, void *job);
/* Are max_inflight jobs submitted and not collected? */
int sl_pool_full(const struct sl_pool *p);
/* Jobs submitted and not yet collected. */
size_t sl_pool_pending(const struct sl_pool *p);
/*
 * The oldest job if it is finished; with wait, waits for it.  NULL when
 * nothing is pending, or (without wait) when the oldest is still running.
 */
void *sl_pool_collect(struct sl_pool *p, int wait);
/* Stops the workers; pending jobs must have been collected. */
void sl_pool_free(struct sl_pool *p);
/* Number of online CPUs (at least 1). */
int sl_ncpu(void);

#endif
