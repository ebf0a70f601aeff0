/* trace/json_event.c: one event as JSON (docs/trace-format.md "events"): built new, or filled into reused objects. */
#include "trace/json_event.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model.h"
#include "trace/model_drop.h"

static const char *side_names[] = { "client", "server" };

/* An event is first a list of (key, value) in the order the document lists them; the
 * list becomes a new object, or the values of a kept object with the same keys. */
enum fk { FK_INT, FK_STR, FK_PV, FK_FLAGS, FK_TRUE, FK_FALSE, FK_JSON };
#define NF 32
struct fv {
	const char *k;
	uint8_t kind;
	int64_t i;		/* FK_INT, FK_FLAGS */
	const char *s;		/* FK_STR: an ASCII constant; FK_PV: the escaped preview */
	json_t *j;		/* FK_JSON: built, owned by the list */
};
struct flist {
	struct fv v[NF];
	int n;
};

static void put(struct flist *l, const char *k, enum fk kind, int64_t i, const char *s, json_t *j)
{
	if (l->n == NF || (kind == FK_JSON && !j)) {
		json_decref(j);
		return;
	}
	l->v[l->n++] = (struct fv){ k, (uint8_t)kind, i, s, j };
}

static void f_int(struct flist *l, const char *k, int64_t i) { put(l, k, FK_INT, i, NULL, NULL); }
static void f_str(struct flist *l, const char *k, const char *s) { put(l, k, FK_STR, 0, s, NULL); }
static void f_bool(struct flist *l, const char *k, int b) { put(l, k, b ? FK_TRUE : FK_FALSE, 0, NULL, NULL); }
static void f_json(struct flist *l, const char *k, json_t *j) { put(l, k, FK_JSON, 0, NULL, j); }

json_t *trace_json_addr(const struct trace_endpoint *e, int with_port)
{
	char buf[TRACE_ADDRSTRLEN];
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "addr", json_string_nocheck(trace_addr_str(&e->addr, buf, sizeof(buf))));
	if (with_port)
		json_object_set_new_nocheck(o, "port", json_integer(e->port));
	return o;
}

json_t *trace_json_tcp_options(const struct trace_tcpopt *t, int with_ts_values)
{
	json_t *o = json_object();

	if (t->has_mss)
		json_object_set_new_nocheck(o, "mss", json_integer(t->mss));
	if (t->has_wscale)
		json_object_set_new_nocheck(o, "wscale", json_integer(t->wscale));
	if (t->sack_permitted)
		json_object_set_new_nocheck(o, "sack_permitted", json_true());
	if (t->has_ts) {
		json_object_set_new_nocheck(o, "timestamps", json_true());
		if (with_ts_values) {
			json_object_set_new_nocheck(o, "tsval", json_integer(t->tsval));
			json_object_set_new_nocheck(o, "tsecr", json_integer(t->tsecr));
		}
	}
	if (t->nsack) {
		json_t *a = json_array();
		for (int i = 0; i < t->nsack; i++)
			json_array_append_new(a, json_pack("[II]", (json_int_t)t->sack[i][0],
							   (json_int_t)t->sack[i][1]));
		json_object_set_new_nocheck(o, "sack", a);
	}
	return o;
}

static const char *proto_name(const struct trace_event *e)
{
	switch (e->l4) {
	case TRACE_L4_TCP: return "tcp";
	case TRACE_L4_UDP: return "udp";
	case TRACE_L4_ICMP: return "icmp";
	case TRACE_L4_ICMP6: return "icmpv6";
	default: return "other";
	}
}

/* S F R P A U E W, in that order (docs/trace-format.md). */
static const struct { uint8_t bit; char c; } flag_letters[] = {
	{ TRACE_TH_SYN, 'S' }, { TRACE_TH_FIN, 'F' }, { TRACE_TH_RST, 'R' }, { TRACE_TH_PSH, 'P' },
	{ TRACE_TH_ACK, 'A' }, { TRACE_TH_URG, 'U' }, { TRACE_TH_ECE, 'E' }, { TRACE_TH_CWR, 'W' },
};

static json_t *flags_str(uint8_t f)
{
	char s[9];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(flag_letters) / sizeof(flag_letters[0]); i++)
		if (f & flag_letters[i].bit)
			s[n++] = flag_letters[i].c;
	s[n] = '\0';
	return json_string_nocheck(s);
}

static void packet_fields(const struct trace_model *m, struct flist *l, const struct trace_event *e)
{
	const char *rule = trace_model_dropped_by(m, e->id);

	/* A TCP or UDP packet of a flow has the flow's proto: it goes without (docs/trace-format.md). */
	if (!e->flow || (e->l4 != TRACE_L4_TCP && e->l4 != TRACE_L4_UDP))
		f_str(l, "proto", proto_name(e));
	if (e->l4 == TRACE_L4_OTHER)
		f_int(l, "ip_proto", e->ip_proto);
	if (e->l4 == TRACE_L4_TCP && e->has_seq) {
		put(l, "flags", FK_FLAGS, e->flags, NULL, NULL);
		f_int(l, "seq", e->seq);
		if (e->has_ack)
			f_int(l, "ack", e->ack);
		if (e->seq_abs)
			f_bool(l, "seq_absolute", 1);
		if (e->has_ack && e->ack_abs)
			f_bool(l, "ack_absolute", 1);
		f_int(l, "win", e->win);
	}
	if (e->len && ((e->l4 == TRACE_L4_TCP && e->has_seq) || (e->l4 == TRACE_L4_UDP && e->flow)))
		f_int(l, "len", e->len);	/* omitted: 0 */
	if (e->preview)
		put(l, "preview", FK_PV, 0, e->preview, NULL);
	f_int(l, "frame_len", e->wire_len);
	if (e->retransmission)
		f_bool(l, "retransmission", 1);
	if (e->dup_ack)
		f_bool(l, "dup_ack", 1);
	if (e->zero_window)
		f_bool(l, "zero_window", 1);
	if (e->opt.any)
		f_json(l, "options", trace_json_tcp_options(&e->opt, 1));
	if (e->icmp)
		f_json(l, "icmp", json_pack("{s:i,s:i,s:s}", "type", e->icmp_type, "code", e->icmp_code,
					    "text", trace_icmp_text(e->icmp_v6, e->icmp_type, e->icmp_code)));
	if (e->has_addrs) {
		f_json(l, "src", trace_json_addr(&e->src, e->has_ports));
		f_json(l, "dst", trace_json_addr(&e->dst, e->has_ports));
	}
	if (e->truncated)
		f_str(l, "truncated", e->truncated);
	if (e->invalid)
		f_str(l, "invalid", e->invalid);
	if (rule) {
		f_bool(l, "delivered", 0);
		f_json(l, "dropped_by", json_string(rule));
	}
}

static void state_fields(const struct trace_model *m, struct flist *l, const struct trace_event *e)
{
	if (e->side >= 0)
		f_str(l, "side", side_names[e->side]);
	if (e->from != TRACE_ST_NONE)
		f_str(l, "from", trace_state_name(e->from));
	f_str(l, "to", trace_state_name(e->to));
	if (e->source == TRACE_SRC_KERNEL)	/* omitted: inferred */
		f_str(l, "source", "kernel");
	if (e->cause >= 0)
		f_int(l, "cause", trace_model_event_index(m, e->cause));
	if (e->source == TRACE_SRC_KERNEL)
		f_str(l, "via", e->via == TRACE_VIA_SOCK_DIAG ? "sock_diag" : "tracepoint");
	if (e->timer_ms >= 0)
		f_int(l, "timer_ms", e->timer_ms);
	if (e->handoff)
		f_bool(l, "handoff", 1);
	if (e->has_addrs) {
		f_json(l, "local", trace_json_addr(&e->src, 1));
		f_json(l, "remote", trace_json_addr(&e->dst, 1));
	}
}

static void event_fields(const struct trace_model *m, const struct trace_event *e, struct flist *l)
{
	l->n = 0;
	f_int(l, "t_us", e->ts_us - m->cap.start_us);
	f_str(l, "type", e->type == TRACE_EV_PACKET ? "packet" : "state");
	if (e->flow)
		f_int(l, "flow", e->flow);
	if (e->type == TRACE_EV_PACKET) {
		if (e->side >= 0)
			f_str(l, "from", side_names[e->side]);
		packet_fields(m, l, e);
	} else {
		state_fields(m, l, e);
	}
}

static json_t *new_value(const struct fv *v)
{
	switch (v->kind) {
	case FK_INT: return json_integer((json_int_t)v->i);
	case FK_STR: case FK_PV: return json_string_nocheck(v->s);	/* made by the tracer: ASCII */
	case FK_FLAGS: return flags_str((uint8_t)v->i);
	case FK_TRUE: return json_true();
	case FK_FALSE: return json_false();
	default: return v->j;
	}
}

static json_t *build(const struct flist *l)
{
	json_t *o = json_object();

	for (int i = 0; i < l->n; i++) {
		json_t *v = new_value(&l->v[i]);
		if (v && o)
			json_object_set_new_nocheck(o, l->v[i].k, v);
		else
			json_decref(v);
	}
	return o;
}

json_t *trace_json_event(const struct trace_model *m, const struct trace_event *e)
{
	struct flist l;

	event_fields(m, e, &l);
	return build(&l);
}

/* ---- reused objects ---- */

struct trace_jsonev_shape {
	int n;
	const char *k[NF];
	json_t *obj;
	void *it[NF];		/* each key's place in obj: its value is replaced in place */
	json_t *val[NF];	/* FK_INT and FK_PV: the value obj holds, overwritten */
};

static size_t shape_hash(const struct flist *l)
{
	uintptr_t h = (uintptr_t)l->n;

	for (int i = 0; i < l->n; i++)
		h = h * 31 + (uintptr_t)l->v[i].k;
	return (size_t)(h ^ h >> 17) % TRACE_JSONEV_SHAPES;
}

static int shape_is(const struct trace_jsonev_shape *s, const struct flist *l)
{
	if (s->n != l->n)
		return 0;
	for (int i = 0; i < l->n; i++)
		if (s->k[i] != l->v[i].k)
			return 0;
	return 1;
}

static struct trace_jsonev_shape *shape_new(const struct flist *l)
{
	struct trace_jsonev_shape *s = calloc(1, sizeof(*s));

	if (!s || !(s->obj = json_object()))
		goto fail;
	s->n = l->n;
	for (int i = 0; i < l->n; i++) {
		const struct fv *v = &l->v[i];
		json_t *x = v->kind == FK_INT ? json_integer(0) : v->kind == FK_PV ? json_string_nocheck("") :
			    v->kind == FK_TRUE ? json_true() : v->kind == FK_FALSE ? json_false() : json_null();
		s->k[i] = v->k;
		s->val[i] = x;
		if (!x || json_object_set_new_nocheck(s->obj, v->k, x) < 0 ||
		    !(s->it[i] = json_object_iter_at(s->obj, v->k)))
			goto fail;
	}
	return s;
fail:
	if (s)
		json_decref(s->obj);
	free(s);
	return NULL;
}

/* The kept JSON string of an ASCII constant (a name the tracer uses), by its address. */
static json_t *const_str(struct trace_jsonev *c, const char *s)
{
	size_t h = ((uintptr_t)s >> 3) % TRACE_JSONEV_STRS;

	for (size_t i = 0; i < TRACE_JSONEV_STRS; i++, h = (h + 1) % TRACE_JSONEV_STRS) {
		if (c->str[h].s == s)
			return c->str[h].v;
		if (!c->str[h].s) {
			if (!(c->str[h].v = json_string_nocheck(s)))
				return NULL;
			c->str[h].s = s;
			return c->str[h].v;
		}
	}
	return NULL;
}

static int fill(struct trace_jsonev *c, struct trace_jsonev_shape *s, struct flist *l)
{
	int rc = 0;

	for (int i = 0; i < l->n; i++) {
		struct fv *v = &l->v[i];
		json_t *x = NULL;
		switch (v->kind) {
		case FK_INT:
			rc |= json_integer_set(s->val[i], (json_int_t)v->i);
			continue;
		case FK_PV:
			rc |= json_string_setn_nocheck(s->val[i], v->s, strlen(v->s));
			continue;
		case FK_TRUE: case FK_FALSE:
			continue;
		case FK_JSON:
			rc |= json_object_iter_set_new(s->obj, s->it[i], v->j);
			v->j = NULL;
			continue;
		case FK_FLAGS:
			if (!(x = c->flags[v->i & 255]))
				x = c->flags[v->i & 255] = flags_str((uint8_t)v->i);
			break;
		default:
			x = const_str(c, v->s);
			break;
		}
		if (!x)
			rc = -1;
		else if (json_object_iter_value(s->it[i]) != x)
			rc |= json_object_iter_set(s->obj, s->it[i], x);
	}
	return rc;
}

json_t *trace_jsonev_get(struct trace_jsonev *c, const struct trace_model *m, const struct trace_event *e)
{
	struct flist l;
	size_t h;

	event_fields(m, e, &l);
	h = shape_hash(&l);
	for (size_t i = 0; i < TRACE_JSONEV_SHAPES; i++, h = (h + 1) % TRACE_JSONEV_SHAPES) {
		struct trace_jsonev_shape *s = c->shape[h];
		if (!s && !(s = c->shape[h] = shape_new(&l)))
			break;
		if (shape_is(s, &l))
			return fill(c, s, &l) == 0 ? json_incref(s->obj) : NULL;
	}
	return build(&l);	/* more shapes than kept: a new object, as trace_json_event */
}

void trace_jsonev_free(struct trace_jsonev *c)
{
	for (int i = 0; i < TRACE_JSONEV_SHAPES; i++) {
		if (c->shape[i])
			json_decref(c->shape[i]->obj);
		free(c->shape[i]);
	}
	for (int i = 0; i < TRACE_JSONEV_STRS; i++)
		json_decref(c->str[i].v);
	for (int i = 0; i < 256; i++)
		json_decref(c->flags[i]);
	memset(c, 0, sizeof(*c));
}
