/* trace/model.c: packets and kernel observations -> flows, phases, states and the event list. */
#include "trace/model.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model_event.h"
#include "trace/model_drop.h"
#include "trace/model_kernel.h"
#include "trace/model_store.h"

struct trace_model *trace_model_new(const struct trace_model_opts *o, char *err, size_t errlen)
{
	struct trace_model *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, errlen, "trace model: out of memory");
		return NULL;
	}
	m->o = *o;
	if (!m->o.max_flows)
		m->o.max_flows = TRACE_DEFAULT_MAX_FLOWS;
	if (!m->o.server_port)
		m->o.server_port = TRACE_DEFAULT_SERVER_PORT;
	if (trace_flow_table_init(&m->table, m->o.max_flows, err, errlen) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void trace_model_free(struct trace_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nretired; i++)
		trace_flow_free(m->retired[i]);
	free(m->retired);
	trace_model_drop_free(m);
	free(m->ev);
	free(m->evopt);
	free(m->evrare);
	free(m->pv);
	if (m->o.sink) {	/* streaming: the live flows are the only ones left */
		struct trace_flow *f = m->table.oldest, *next;
		for (; f; f = next) {
			next = f->newer;
			trace_flow_free(f);
		}
	}
	for (size_t i = 0; i < m->nflows; i++)
		trace_flow_free(m->flows[i].f);
	free(m->flows);
	if (m->spill)
		trace_flowspill_close(m->spill);
	free(m->spill);
	free(m->index);
	free(m->unmatched);
	trace_flow_table_free(&m->table);
	free(m->cap.interface);
	free(m->cap.file);
	free(m->cap.filter);
	free(m->cap.linktype);
	free_strs(m->cap.notes, m->cap.nnotes);
	free_strs(m->cap.netns, m->cap.nnetns);
	free(m);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int trace_model_set_capture(struct trace_model *m, int live, const char *name, const char *filter,
			    int snaplen, int dlt, const char *linktype)
{
	m->cap.live = live;
	if (live)
		m->cap.interface = dup_or_null(name);
	else
		m->cap.file = dup_or_null(name);
	m->cap.filter = filter && *filter ? strdup(filter) : NULL;
	m->cap.snaplen = snaplen;
	m->cap.dlt = dlt;
	m->cap.linktype = dup_or_null(linktype);
	return 0;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

void trace_model_set_state_sources(struct trace_model *m, int tracepoint, int sock_diag)
{
	m->cap.tracepoint = tracepoint;
	m->cap.sock_diag = sock_diag;
}

int trace_model_add_note(struct trace_model *m, const char *note)
{
	return push_str(&m->cap.notes, &m->cap.nnotes, note);
}

int trace_model_add_netns(struct trace_model *m, const char *name)
{
	return push_str(&m->cap.netns, &m->cap.nnetns, name);
}

void trace_model_set_stats(struct trace_model *m, uint64_t dropped, uint64_t if_dropped)
{
	m->cap.have_stats = 1;
	m->cap.packets_dropped = dropped;
	m->cap.packets_if_dropped = if_dropped;
}

void trace_model_set_stop_reason(struct trace_model *m, const char *reason)
{
	m->cap.stop_reason = reason;
}

int64_t trace_model_event_index(const struct trace_model *m, int64_t id)
{
	if (id < 0)
		return -1;
	if (m->o.sink && m->o.sink->index)
		return m->o.sink->index(m->o.sink->arg, id);
	if (!m->index || id >= (int64_t)m->next_id)
		return id;
	return m->index[id];
}

const struct trace_flow *trace_model_flow(const struct trace_model *m, size_t i, struct trace_flow *scratch)
{
	if (m->flows[i].f)
		return m->flows[i].f;
	return trace_flowspill_get(m->spill, m->flows[i].off, scratch) == 0 ? scratch : NULL;
}

void trace_model_flow_done(const struct trace_flow *f, struct trace_flow *scratch)
{
	if (f == scratch)
		trace_flow_clear(scratch);
}

int trace_model_flow_ends(const struct trace_model *m, size_t i, struct trace_endpoint ep[2])
{
	if (m->flows[i].f) {
		ep[0] = m->flows[i].f->ep[0];
		ep[1] = m->flows[i].f->ep[1];
		return 0;
	}
	return trace_flowspill_ends(m->spill, m->flows[i].off, ep);
}
