/* trace/feed.c: what a live capture hands the model, in order, applied on a thread of its own. */
#include "trace/feed.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "trace/model_packet.h"

/* Chunks of records: the capture appends to the tail without the lock (the model's thread
 * reads only up to `pub`, set under it), the model's thread frees the head once the capture
 * has moved on to a newer chunk. One lock round per batch, not per packet. */
#define FEED_CHUNK ((size_t)1 << 20)
/* Applied chunks kept for the capture to fill again. */
#define FEED_SPARES 8

struct trace_feed_chunk {
	struct trace_feed_chunk *next;
	size_t cap, used, pub, rd;
	uint8_t data[];
};

enum { REC_PACKET = 1, REC_CALL };

struct rec {
	uint32_t kind, len;		/* len: the payload after this header */
};

struct rec_packet {
	int64_t sec;
	int32_t usec;
	uint32_t caplen, wirelen;
};

struct rec_call {
	trace_feed_fn fn;
	void *arg;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A chunk's memory is mapped with its pages already in: filled by the capture's thread a
 * page at a time, a fresh chunk cost it a page fault every 4 KiB, the largest part of its
 * time under load (docs/performance.md, "Live capture"). NULL when out of memory. */
static struct trace_feed_chunk *chunk_alloc(size_t cap)
{
	size_t len = sizeof(struct trace_feed_chunk) + cap;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	struct trace_feed_chunk *c = p;
	c->next = NULL, c->cap = cap, c->used = c->pub = c->rd = 0;
	return c;
}

static void chunk_free(struct trace_feed_chunk *c)
{
	munmap(c, sizeof *c + c->cap);
}

void trace_feed_init(struct trace_feed *f, struct trace_model *m)
{
	memset(f, 0, sizeof *f);
	f->m = m;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->more, NULL);
	pthread_cond_init(&f->room, NULL);
}

/* Applies one record on the model; -1 with err. */
static int apply(struct trace_feed *f, const struct rec *r, char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)(r + 1);

	f->applied++;
	if (r->kind == REC_PACKET) {
		const struct rec_packet *k = (const struct rec_packet *)p;
		struct trace_tstamp ts = { k->sec, k->usec };
		if (trace_model_add_packet_at(f->m, &ts, p + sizeof *k, k->caplen, k->wirelen) == 0)
			return 0;
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	const struct rec_call *c = (const struct rec_call *)p;
	return c->fn(c->arg, f->m, p + sizeof *c, r->len - sizeof *c, err, errlen);
}

/* Whether this process may take a thread back from SCHED_IDLE to normal priority (CAP_SYS_NICE
 * or RLIMIT_NICE 20 for nice 0). Without it (-Z in a container that lacks CAP_SYS_RESOURCE, so the
 * limit cannot be raised) an idle thread stays idle: starved by any busy program, it would hold
 * the end of the capture for as long as they run. */
static int may_unidle(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	struct rlimit rl;
	int nice;

	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)tid);
	if (nice == -1 && errno)
		return 0;
	/* the rule the scheduler applies: this nice within RLIMIT_NICE (20 - nice)... */
	if (getrlimit(RLIMIT_NICE, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY || (long long)rl.rlim_cur >= 20 - nice))
		return 1;
	/* ...or CAP_SYS_NICE, tried rather than read from capget: in a user namespace
	 * (hello-lab as an ordinary user) the capability shows but counts only there. Allowed
	 * one step below this nice is allowed this nice; stepping back up always is. */
	if (nice <= -20 || setpriority(PRIO_PROCESS, (id_t)tid, nice - 1) < 0)
		return 0;
	setpriority(PRIO_PROCESS, (id_t)tid, nice);
	return 1;
}

/* Under f->lock (f->idle), or unlocked with idle 0 at the stop. SCHED_IDLE while the backlog
 * is small; normal above TRACE_FEED_HIGH_BYTES and at the end. */
static void set_idle(struct trace_feed *f, int idle)
{
	struct sched_param sp = { 0 };

	if (f->idle == idle)
		return;
	if (pthread_setschedparam(f->thread, idle ? SCHED_IDLE : SCHED_OTHER, &sp) == 0)
		f->idle = idle;
}

static void *feed_thread(void *arg)
{
	struct trace_feed *f = arg;
	char err[sizeof f->err];

	pthread_mutex_lock(&f->lock);
	for (;;) {
		struct trace_feed_chunk *c = f->head;
		if (c && c->rd == c->pub && c->next) {
			f->head = c->next;	/* the capture has sealed it: pub == used */
			if (c->cap == FEED_CHUNK && f->nspare < FEED_SPARES) {
				c->next = f->spare;
				f->spare = c;
				f->nspare++;
			} else {
				chunk_free(c);
			}
			continue;
		}
		if (!c || c->rd == c->pub) {
			if (f->stopping)
				break;
			pthread_cond_wait(&f->more, &f->lock);
			continue;
		}
		size_t from = c->rd, to = c->pub;
		int failed = f->failed;
		if (!f->stopping && f->may_idle)
			set_idle(f, f->waiting < TRACE_FEED_HIGH_BYTES / 4 ? 1 :
				 f->waiting > TRACE_FEED_HIGH_BYTES ? 0 : f->idle);
		pthread_mutex_unlock(&f->lock);
		for (size_t o = from; o < to && !failed;) {
			const struct rec *r = (const struct rec *)(c->data + o);
			if (apply(f, r, err, sizeof err) < 0) {
				failed = 1;
				pthread_mutex_lock(&f->lock);
				snprintf(f->err, sizeof f->err, "%s", err);
				f->failed = 1;
				pthread_mutex_unlock(&f->lock);
			}
			o += sizeof *r + align8(r->len);
		}
		pthread_mutex_lock(&f->lock);
		c->rd = to;
		f->waiting -= to - from;
		pthread_cond_signal(&f->room);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

int trace_feed_start(struct trace_feed *f, char *err, size_t errlen)
{
	sigset_t all, old;
	int rc;

	/* Signals go to the capture's thread, whose poll() they must interrupt (SIGINT stops
	 * the capture at once): the model's thread is born with them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	f->may_idle = may_unidle();
	rc = pthread_create(&f->thread, NULL, feed_thread, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "trace: pthread_create: %s", strerror(rc));
		return -1;
	}
	f->threaded = 1;
	return 0;
}

int trace_feed_failed(struct trace_feed *f, char *err, size_t errlen)
{
	int failed;

	pthread_mutex_lock(&f->lock);
	if ((failed = f->failed))
		snprintf(err, errlen, "%s", f->err);
	pthread_mutex_unlock(&f->lock);
	return failed;
}

void trace_feed_publish(struct trace_feed *f)
{
	struct trace_feed_chunk *t = f->tail;

	if (!f->threaded || !t || t->pub == t->used)
		return;
	pthread_mutex_lock(&f->lock);
	f->waiting += t->used - t->pub;
	t->pub = t->used;
	pthread_cond_signal(&f->more);
	/* Bounded memory: past the limit the capture waits, the kernel's ring holds the rest. */
	while (f->waiting > TRACE_FEED_MAX_BYTES && !f->failed)
		pthread_cond_wait(&f->room, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

int trace_feed_stop(struct trace_feed *f, char *err, size_t errlen)
{
	if (f->threaded) {
		/* What is left is the trace's last step: not idle any more (the caller waits).
		 * First unlocked: the thread may hold the lock, idle, and be starved by busy
		 * programs; then under it, once stopping is set and it goes idle no more. */
		pthread_setschedparam(f->thread, SCHED_OTHER, &(struct sched_param){ 0 });
		trace_feed_publish(f);
		pthread_mutex_lock(&f->lock);
		f->stopping = 1;
		f->idle = 1;
		set_idle(f, 0);
		pthread_cond_signal(&f->more);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
		f->threaded = 0;
		while (f->head) {
			struct trace_feed_chunk *c = f->head;
			f->head = c->next;
			chunk_free(c);
		}
		f->tail = NULL;
		while (f->spare) {
			struct trace_feed_chunk *c = f->spare;
			f->spare = c->next;
			chunk_free(c);
		}
		f->nspare = 0;
	}
	return trace_feed_failed(f, err, errlen) ? -1 : 0;
}

void trace_feed_free(struct trace_feed *f)
{
	char e[8];

	trace_feed_stop(f, e, sizeof e);
	free(f->held);
	f->held = NULL;
	pthread_cond_destroy(&f->more);
	pthread_cond_destroy(&f->room);
	pthread_mutex_destroy(&f->lock);
}

/* Room for a record of payload len at the tail (or in the held records); NULL when out of
 * memory. */
static struct rec *reserve(struct trace_feed *f, uint32_t kind, size_t len)
{
	size_t need = sizeof(struct rec) + align8(len);
	struct rec *r;

	if (f->holding) {
		if (f->nheld + need > f->cap_held) {
			size_t nc = f->cap_held ? 2 * f->cap_held : 4096;
			while (nc < f->nheld + need)
				nc *= 2;
			uint8_t *nv = realloc(f->held, nc);
			if (!nv)
				return NULL;
			f->held = nv, f->cap_held = nc;
		}
		r = (struct rec *)(f->held + f->nheld);
		f->nheld += need;
	} else {
		struct trace_feed_chunk *t = f->tail;
		if (!t || t->used + need > t->cap) {
			size_t cap = need > FEED_CHUNK ? need : FEED_CHUNK;
			struct trace_feed_chunk *c = NULL;
			if (cap == FEED_CHUNK) {
				pthread_mutex_lock(&f->lock);
				if ((c = f->spare)) {
					f->spare = c->next;
					f->nspare--;
				}
				pthread_mutex_unlock(&f->lock);
			}
			if (!c && !(c = chunk_alloc(cap)))
				return NULL;	/* mapped outside the lock: the model's thread goes on */
			c->next = NULL, c->cap = cap, c->used = c->pub = c->rd = 0;
			pthread_mutex_lock(&f->lock);
			if (t) {
				f->waiting += t->used - t->pub;
				t->pub = t->used;	/* sealed: the model's thread may free it once read */
				t->next = c;
			} else {
				f->head = c;
			}
			f->tail = c;
			pthread_cond_signal(&f->more);
			pthread_mutex_unlock(&f->lock);
			t = c;
		}
		r = (struct rec *)(t->data + t->used);
		t->used += need;
	}
	r->kind = kind;
	r->len = (uint32_t)len;
	return r;
}

int trace_feed_packet(struct trace_feed *f, const struct trace_tstamp *ts, const uint8_t *p,
		      uint32_t caplen, uint32_t wirelen)
{
	f->packets++;
	if (!f->threaded && !f->holding)
		return trace_model_add_packet_at(f->m, ts, p, caplen, wirelen);
	struct rec *r = reserve(f, REC_PACKET, sizeof(struct rec_packet) + caplen);
	if (!r)
		return -1;
	struct rec_packet *k = (struct rec_packet *)(r + 1);
	k->sec = ts->sec, k->usec = ts->usec, k->caplen = caplen, k->wirelen = wirelen;
	memcpy(k + 1, p, caplen);
	return 0;
}

int trace_feed_call(struct trace_feed *f, trace_feed_fn fn, void *arg, const void *data, size_t len,
		    char *err, size_t errlen)
{
	if (!f->threaded && !f->holding)
		return fn(arg, f->m, data, len, err, errlen);
	struct rec *r = reserve(f, REC_CALL, sizeof(struct rec_call) + len);
	if (!r) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	struct rec_call *c = (struct rec_call *)(r + 1);
	c->fn = fn, c->arg = arg;
	if (len)
		memcpy(c + 1, data, len);
	return 0;
}

void trace_feed_hold(struct trace_feed *f)
{
	f->holding = f->threaded;
}

void trace_feed_hold_done(struct trace_feed *f)
{
	f->holding = 0;
}

int trace_feed_unhold(struct trace_feed *f)
{
	int rc = 0;

	f->holding = 0;
	if (!f->nheld)
		return 0;
	for (size_t o = 0; o < f->nheld;) {
		const struct rec *r = (const struct rec *)(f->held + o);
		size_t need = sizeof *r + align8(r->len);
		struct rec *n = f->threaded ? reserve(f, r->kind, r->len) : NULL;
		if (n) {
			memcpy(n, r, need);
		} else if (f->threaded) {
			rc = -1;	/* out of memory: the rest is lost, the caller says so */
			break;
		} else {
			char e[sizeof f->err];
			if (apply(f, r, e, sizeof e) < 0 && !f->failed) {
				f->failed = 1;
				snprintf(f->err, sizeof f->err, "%s", e);
			}
		}
		o += need;
	}
	f->nheld = 0;
	trace_feed_publish(f);
	return rc;
}
