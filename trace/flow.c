/* trace/flow.c: the flow table: 5-tuple hash in either direction, activity order, a limit. */
#include "trace/flow.h"

#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

int trace_endpoint_eq(const struct trace_endpoint *x, const struct trace_endpoint *y)
{
	return x->port == y->port && trace_addr_eq(&x->addr, &y->addr);
}

static uint32_t ep_hash(const struct trace_endpoint *e)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t n = e->addr.family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		h = (h ^ e->addr.a[i]) * 16777619u;
	h = (h ^ (e->port & 0xff)) * 16777619u;
	return (h ^ (e->port >> 8)) * 16777619u;
}

/* Symmetric, so both directions land in the same bucket. */
static size_t bucket(const struct trace_flow_table *t, uint8_t proto,
		     const struct trace_endpoint *a, const struct trace_endpoint *b)
{
	return ((ep_hash(a) ^ ep_hash(b)) + proto) % t->nbuckets;
}

int trace_flow_table_init(struct trace_flow_table *t, size_t max, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->max = max ? max : 1;
	t->nbuckets = t->max < 1024 ? 1024 : t->max;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		snprintf(err, errlen, "flow table of %zu: out of memory", t->nbuckets);
		return -1;
	}
	t->next_id = 1;
	return 0;
}

void trace_flow_table_free(struct trace_flow_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

struct trace_flow *trace_flow_lookup(struct trace_flow_table *t, uint8_t proto,
				     const struct trace_endpoint *a, const struct trace_endpoint *b,
				     int *from)
{
	for (struct trace_flow *f = t->buckets[bucket(t, proto, a, b)]; f; f = f->hnext) {
		if (f->proto != proto)
			continue;
		if (trace_endpoint_eq(&f->ep[0], a) && trace_endpoint_eq(&f->ep[1], b)) {
			*from = TRACE_CLIENT;
			return f;
		}
		if (trace_endpoint_eq(&f->ep[1], a) && trace_endpoint_eq(&f->ep[0], b)) {
			*from = TRACE_SERVER;
			return f;
		}
	}
	return NULL;
}

static void lru_unlink(struct trace_flow_table *t, struct trace_flow *f)
{
	if (f->older)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void lru_push(struct trace_flow_table *t, struct trace_flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

struct trace_flow *trace_flow_create(struct trace_flow_table *t, uint8_t proto,
				     const struct trace_endpoint *client,
				     const struct trace_endpoint *server, int64_t ts_us)
{
	struct trace_flow *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->id = t->next_id++;
	f->proto = proto;
	f->ep[TRACE_CLIENT] = *client;
	f->ep[TRACE_SERVER] = *server;
	f->first_us = f->last_us = ts_us;
	f->closed_first = TRACE_CLOSE_NONE;
	f->tw_timer_ms = -1;
	size_t b = bucket(t, proto, client, server);
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	lru_push(t, f);
	t->live++;
	return f;
}

void trace_flow_touch(struct trace_flow_table *t, struct trace_flow *f)
{
	if (t->newest == f)
		return;
	lru_unlink(t, f);
	lru_push(t, f);
}

struct trace_flow *trace_flow_oldest(struct trace_flow_table *t)
{
	return t->oldest;
}

void trace_flow_unlink(struct trace_flow_table *t, struct trace_flow *f)
{
	struct trace_flow **pp = &t->buckets[bucket(t, f->proto, &f->ep[0], &f->ep[1])];

	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (!*pp)
		return;		/* not live */
	*pp = f->hnext;
	f->hnext = NULL;
	lru_unlink(t, f);
	t->live--;
}

void trace_flow_clear(struct trace_flow *f)
{
	if (f->udp) {
		trace_udp_free(f->udp);
		free(f->udp);
	}
	free(f->kobs);
	free(f->hist);
	free(f->dis);
	free(f->icmp);
	free(f->xl);
	f->udp = NULL, f->kobs = NULL, f->hist = NULL, f->dis = NULL, f->icmp = NULL, f->xl = NULL;
}

void trace_flow_free(struct trace_flow *f)
{
	if (!f)
		return;
	trace_flow_clear(f);
	free(f);
}
