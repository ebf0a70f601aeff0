/* tcp/server_blocking.c: the blocking concurrency models: iterative, thread per connection, process per connection. */
#include "tcp/server_blocking.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sig.h"
#include "net/net.h"

/* How long a stopping server waits for its threads or children. */
#define TCP_STOP_GRACE_MS 2000


int tcp_run_iterative(struct tcp_server *s, char *err, size_t errlen)
{
	struct hello_addr peer;
	int fd;

	(void)err, (void)errlen;
	while (!hello_sig_stop()) {
		fd = tcp_server_accept(s, &peer, TCP_STOP_POLL_MS);
		if (fd < 0)
			continue;
		atomic_fetch_add(&s->stats->connections, 1);
		if (s->once)
			tcp_server_close_listener(s);
		tcp_server_serve_one(s, fd, &peer, ++s->next_id);
		if (s->once)
			break;
	}
	return 0;
}

/* ---- thread per connection (the tutorial's server) ---- */

/*
 * Workers are joinable, so that no thread is still unwinding when the server returns (a
 * detached one could be, with its stack and thread-local block still allocated). Each
 * worker sits on the live list while it serves and moves itself to the done list when it
 * finishes; the main thread joins and frees the done ones on every turn of its loop and,
 * when stopping, until the live list is empty or the grace time has passed.
 */
struct thread_arg {
	struct tcp_server *s;
	struct thread_pool *pool;
	int fd;
	struct hello_addr peer;
	unsigned long id;
	pthread_t t;
	struct thread_arg *prev, *next;		/* live list (doubly linked), or done list (next) */
};

struct thread_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long active;			/* workers on the live list */
	struct thread_arg *live, *done;
};

static void pool_unlink_live(struct thread_pool *pool, struct thread_arg *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else
		pool->live = a->next;
	if (a->next)
		a->next->prev = a->prev;
	a->prev = a->next = NULL;
	pool->active--;
}

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct thread_pool *pool = a->pool;

	tcp_server_serve_one(a->s, a->fd, &a->peer, a->id);
	pthread_mutex_lock(&pool->mu);
	pool_unlink_live(pool, a);
	a->next = pool->done;
	pool->done = a;
	pthread_cond_broadcast(&pool->cv);
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

/* Joins and frees the workers that said they are done (each is past its last lock). */
static void thread_reap(struct thread_pool *pool)
{
	struct thread_arg *a, *next;

	pthread_mutex_lock(&pool->mu);
	a = pool->done;
	pool->done = NULL;
	pthread_mutex_unlock(&pool->mu);
	for (; a; a = next) {
		next = a->next;
		pthread_join(a->t, NULL);
		free(a);
	}
}

/* Waits until fewer than `limit` threads run, joining those that finish; bounded: at most
 * the grace time, else until a stop (limit 1 = all done). */
static void thread_wait_below(struct thread_pool *pool, unsigned long limit, int bounded)
{
	int64_t until = hello_clock_ms() + TCP_STOP_GRACE_MS;
	struct timespec ts;
	int more = 1;

	while (more) {
		thread_reap(pool);
		pthread_mutex_lock(&pool->mu);
		more = pool->active >= limit && !(bounded && hello_clock_ms() >= until) && !(!bounded && hello_sig_stop());
		if (more && !pool->done) {
			hello_log_flush();
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += TCP_STOP_POLL_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&pool->cv, &pool->mu, &ts);
		}
		pthread_mutex_unlock(&pool->mu);
	}
	thread_reap(pool);
}

static int thread_spawn(struct tcp_server *s, struct thread_pool *pool, int fd, const struct hello_addr *peer)
{
	struct thread_arg *a = calloc(1, sizeof(*a));
	int rc;

	if (!a) {
		hello_net_close(fd);
		return -1;
	}
	a->s = s, a->pool = pool, a->fd = fd, a->peer = *peer, a->id = ++s->next_id;
	/* On the live list before it runs: the worker takes itself off when done. */
	pthread_mutex_lock(&pool->mu);
	a->next = pool->live;
	if (pool->live)
		pool->live->prev = a;
	pool->live = a;
	pool->active++;
	pthread_mutex_unlock(&pool->mu);
	/* Only the main thread takes SIGINT/SIGTERM; workers watch the flag. */
	hello_sig_block(1);
	rc = pthread_create(&a->t, NULL, thread_main, a);
	hello_sig_block(0);
	if (rc != 0) {
		hello_log_event(&s->log, HELLO_LOG_MAIN, "error", "conn=%lu error=\"pthread_create: %s\"", a->id, strerror(rc));
		hello_net_close(fd);
		pthread_mutex_lock(&pool->mu);
		pool_unlink_live(pool, a);
		pthread_mutex_unlock(&pool->mu);
		free(a);
		return -1;
	}
	return 0;
}

/* Past the grace time: a worker still serving is left to finish on its own (detached). */
static void thread_abandon(struct thread_pool *pool)
{
	struct thread_arg *a;

	pthread_mutex_lock(&pool->mu);
	for (a = pool->live; a; a = a->next)
		pthread_detach(a->t);
	pthread_mutex_unlock(&pool->mu);
}

int tcp_run_thread(struct tcp_server *s, char *err, size_t errlen)
{
	/* Static: a worker stuck past the grace time may still touch it while main returns. */
	static struct thread_pool pool;
	struct hello_addr peer;
	int fd;

	(void)err, (void)errlen;
	pool.active = 0;
	pool.live = pool.done = NULL;
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.cv, NULL);
	while (!hello_sig_stop()) {
		thread_reap(&pool);
		if (s->max_clients)
			thread_wait_below(&pool, s->max_clients, 0);
		fd = tcp_server_accept(s, &peer, TCP_STOP_POLL_MS);
		if (fd < 0)
			continue;
		atomic_fetch_add(&s->stats->connections, 1);
		if (s->once)
			tcp_server_close_listener(s);
		thread_spawn(s, &pool, fd, &peer);
		if (s->once) {
			thread_wait_below(&pool, 1, 0);
			break;
		}
	}
	/* Stopping: the workers see the flag within TCP_STOP_POLL_MS and close their clients;
	 * each is joined as it finishes. */
	thread_wait_below(&pool, 1, 1);
	thread_abandon(&pool);
	return 0;
}

/* ---- process per connection ---- */

struct fork_kids {
	pid_t *pids;
	size_t n, cap;
};

static void kids_remove(struct fork_kids *k, pid_t pid)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		if (k->pids[i] == pid) {
			k->pids[i] = k->pids[--k->n];
			return;
		}
	}
}

/* Reaps finished children; with block, waits for at least one (a signal interrupts). */
static void kids_reap(struct fork_kids *k, int block)
{
	pid_t pid;
	int st;

	if (block)
		hello_log_flush();
	while (k->n > 0 && (pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		kids_remove(k, pid);
		block = 0;
	}
}

static int kids_add(struct fork_kids *k, pid_t pid)
{
	pid_t *np;

	if (k->n == k->cap) {
		np = realloc(k->pids, (k->cap ? k->cap * 2 : 16) * sizeof(*np));
		if (!np)
			return -1;
		k->pids = np;
		k->cap = k->cap ? k->cap * 2 : 16;
	}
	k->pids[k->n++] = pid;
	return 0;
}

/* SIGTERM to every child, a grace time, then SIGKILL: no child outlives the server. */
static void kids_stop(struct fork_kids *k)
{
	int64_t until = hello_clock_ms() + TCP_STOP_GRACE_MS;
	size_t i;

	hello_log_flush();
	for (i = 0; i < k->n; i++)
		kill(k->pids[i], SIGTERM);
	while (k->n > 0 && hello_clock_ms() < until) {
		kids_reap(k, 0);
		if (k->n > 0)
			usleep(20000);
	}
	for (i = 0; i < k->n; i++)
		kill(k->pids[i], SIGKILL);
	while (k->n > 0 && waitpid(k->pids[0], NULL, 0) >= 0)
		kids_remove(k, k->pids[0]);
}

int tcp_run_fork(struct tcp_server *s, char *err, size_t errlen)
{
	struct fork_kids kids = { 0 };
	struct hello_addr peer;
	unsigned long id;
	pid_t pid;
	int fd;

	while (!hello_sig_stop()) {
		kids_reap(&kids, 0);
		if (s->max_clients && kids.n >= s->max_clients) {
			kids_reap(&kids, 1);
			continue;
		}
		fd = tcp_server_accept(s, &peer, TCP_STOP_POLL_MS);
		if (fd < 0)
			continue;
		atomic_fetch_add(&s->stats->connections, 1);
		id = ++s->next_id;
		pid = fork();
		if (pid == 0) {
			tcp_server_close_listener(s);
			tcp_server_serve_one(s, fd, &peer, id);
			hello_log_flush(); /* _exit runs no atexit handler */
			_exit(0);
		}
		hello_net_close(fd);
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			hello_log_event(&s->log, HELLO_LOG_MAIN, "error", "conn=%lu error=\"%s\"", id, err);
			continue;
		}
		if (kids_add(&kids, pid) < 0) {
			waitpid(pid, NULL, 0); /* cannot track it: let it finish rather than lose it */
			continue;
		}
		if (s->once) {
			tcp_server_close_listener(s);
			while (kids.n > 0 && !hello_sig_stop())
				kids_reap(&kids, 1);
			break;
		}
	}
	kids_stop(&kids);
	free(kids.pids);
	return 0;
}
