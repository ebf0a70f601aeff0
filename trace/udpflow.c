/* trace/udpflow.c: pairs UDP requests with replies, keeps the unanswered, finds what an ICMP error quotes. */
#include "trace/udpflow.h"

#include <stdlib.h>
#include <string.h>

/* Appends v to a bounded growable array; returns -1 (and flags it) when full. */
static int grow(void **arr, size_t *n, size_t *cap, size_t size, int *truncated)
{
	if (*n >= TRACE_LIST_MAX) {
		*truncated = 1;
		return -1;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		void *p = realloc(*arr, nc * size);
		if (!p) {
			*truncated = 1;
			return -1;
		}
		*arr = p;
		*cap = nc;
	}
	return 0;
}

static void add_unanswered(struct trace_udp *u, uint32_t id)
{
	if (grow((void **)&u->unanswered, &u->nunanswered, &u->cap_unanswered,
		 sizeof(uint32_t), &u->lists_truncated) == 0)
		u->unanswered[u->nunanswered++] = id;
}

static void drop_request(struct trace_udp *u, int i)
{
	memmove(&u->q[i], &u->q[i + 1], (size_t)(u->nq - i - 1) * sizeof(u->q[0]));
	u->nq--;
}

void trace_udp_request(struct trace_udp *u, uint32_t id, int64_t ts_us, uint16_t ip_id,
		       const uint8_t *payload, uint32_t cap, uint32_t len)
{
	if (u->nq == TRACE_UDP_PENDING) {
		add_unanswered(u, u->q[0].id);
		drop_request(u, 0);
	}
	if (u->nq == u->cap_q) {
		int nc = u->cap_q ? 2 * u->cap_q : 2;
		struct trace_udp_req *nv = realloc(u->q, (size_t)(nc < TRACE_UDP_PENDING ? nc : TRACE_UDP_PENDING) * sizeof(*nv));
		if (!nv) {
			add_unanswered(u, id);	/* out of memory: it can never be paired */
			return;
		}
		u->q = nv;
		u->cap_q = nc < TRACE_UDP_PENDING ? nc : TRACE_UDP_PENDING;
	}
	struct trace_udp_req *r = &u->q[u->nq++];
	r->id = id;
	r->ts_us = ts_us;
	r->ip_id = ip_id;
	r->len = len;
	r->headlen = cap < TRACE_UDP_HEAD ? cap : TRACE_UDP_HEAD;
	if (r->headlen)
		memcpy(r->head, payload, r->headlen);
}

/* The hello service answers "M" with "Hello, M!" (docs/protocol.md). */
static int hello_reply_of(const struct trace_udp_req *r, const uint8_t *p, uint32_t cap, uint32_t len)
{
	static const char pre[] = "Hello, ";
	size_t pl = sizeof(pre) - 1;

	if (len != r->len + pl + 1 || cap < pl || memcmp(p, pre, pl) != 0)
		return 0;
	size_t n = r->headlen < cap - pl ? r->headlen : cap - pl;
	return memcmp(p + pl, r->head, n) == 0;
}

int trace_udp_reply(struct trace_udp *u, uint32_t id, int64_t ts_us, const uint8_t *payload,
		    uint32_t cap, uint32_t len, struct trace_udp_pair *pair)
{
	int pick = -1;

	if (u->nq == 0)
		return -1;
	/* The newest request it quotes: after a retry, the retry is what got through. */
	for (int i = u->nq - 1; i >= 0 && pick < 0; i--)
		if (hello_reply_of(&u->q[i], payload, cap, len))
			pick = i;
	if (pick < 0)
		pick = 0;	/* another protocol: first come, first answered */
	pair->request = u->q[pick].id;
	pair->reply = id;
	pair->rtt_us = ts_us - u->q[pick].ts_us;
	drop_request(u, pick);
	if (grow((void **)&u->pairs, &u->npairs, &u->cap_pairs, sizeof(*u->pairs),
		 &u->lists_truncated) == 0)
		u->pairs[u->npairs++] = *pair;
	return 0;
}

int64_t trace_udp_quoted(struct trace_udp *u, int have_id, uint16_t ip_id, int64_t ts_us)
{
	int pick = -1;

	for (int i = u->nq - 1; i >= 0 && pick < 0; i--)
		if (have_id ? u->q[i].ip_id == ip_id : u->q[i].ts_us <= ts_us)
			pick = i;
	if (pick < 0)
		return -1;
	int64_t id = u->q[pick].id;
	add_unanswered(u, u->q[pick].id);
	drop_request(u, pick);
	return id;
}

void trace_udp_finish(struct trace_udp *u)
{
	for (int i = 0; i < u->nq; i++)
		add_unanswered(u, u->q[i].id);
	u->nq = 0;
}

void trace_udp_free(struct trace_udp *u)
{
	free(u->pairs);
	free(u->unanswered);
	free(u->q);
	u->pairs = NULL;
	u->unanswered = NULL;
	u->q = NULL;
	u->nq = u->cap_q = 0;
}
