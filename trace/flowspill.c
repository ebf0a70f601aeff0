/* trace/flowspill.c: document mode's evicted flows, kept in an unlinked temporary file until the document is written. */
#include "trace/flowspill.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int trace_flowspill_open(struct trace_flowspill *s, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	int fd;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/hello-trace-flows.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0) {
		snprintf(err, errlen, "flow spill file in %s: %s", dir, strerror(errno));
		return -1;
	}
	unlink(path);
	if (!(s->f = fdopen(fd, "w+"))) {
		snprintf(err, errlen, "flow spill file in %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

static int put(struct trace_flowspill *s, const void *p, size_t n)
{
	if (n && !s->error && fwrite(p, 1, n, s->f) != n)
		s->error = errno ? errno : EIO;
	s->size += n;
	return s->error ? -1 : 0;
}

/* The record: the struct (its pointers cleared), then the lists trace_json_flow reads:
 * disagreements, ICMP errors, and for UDP the pairing state with its pairs and unanswered
 * requests. A finished flow needs nothing else (its state history and kernel
 * observations served the disagreements, already found). */
int trace_flowspill_put(struct trace_flowspill *s, const struct trace_flow *f, uint64_t *off)
{
	struct trace_flow c = *f;
	struct trace_udp u;

	*off = s->size;
	c.hist = NULL, c.kobs = NULL, c.dis = NULL, c.icmp = NULL, c.udp = NULL, c.xl = NULL;
	c.hnext = c.older = c.newer = NULL;
	s->dirty = 1;
	put(s, &c, sizeof(c));
	put(s, f->dis, f->ndis * sizeof(*f->dis));
	put(s, f->icmp, f->nicmp * sizeof(*f->icmp));
	if (f->proto == IPPROTO_UDP && f->udp) {
		u = *f->udp;
		u.q = NULL, u.nq = u.cap_q = 0;
		u.pairs = NULL, u.unanswered = NULL;
		put(s, &u, sizeof(u));
		put(s, f->udp->pairs, f->udp->npairs * sizeof(*f->udp->pairs));
		put(s, f->udp->unanswered, f->udp->nunanswered * sizeof(*f->udp->unanswered));
	}
	return s->error ? -1 : 0;
}

/* Reads n bytes at off into buf (what was written is flushed first). */
static int read_at(struct trace_flowspill *s, uint64_t off, void *buf, size_t n)
{
	ssize_t r;

	if (s->dirty && !s->error && fflush(s->f) == EOF)
		s->error = errno ? errno : EIO;
	s->dirty = 0;
	if (s->error)
		return -1;
	if ((r = pread(fileno(s->f), buf, n, (off_t)off)) != (ssize_t)n) {
		s->error = r < 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* Reads n bytes at *off into a new allocation (NULL for none); moves *off on. */
static int get(struct trace_flowspill *s, uint64_t *off, void **p, size_t n)
{
	*p = NULL;
	if (!n)
		return 0;
	if (!(*p = malloc(n))) {
		s->error = ENOMEM;
		return -1;
	}
	if (read_at(s, *off, *p, n) < 0)
		return -1;
	*off += n;
	return 0;
}

int trace_flowspill_get(struct trace_flowspill *s, uint64_t off, struct trace_flow *f)
{
	if (read_at(s, off, f, sizeof(*f)) < 0) {
		memset(f, 0, sizeof(*f));
		return -1;
	}
	off += sizeof(*f);
	f->cap_hist = 0, f->nhist[0] = f->nhist[1] = 0, f->nkobs = 0;
	f->xl = NULL, f->nxl = f->cap_xl = 0;
	f->cap_icmp = f->nicmp;
	if (get(s, &off, (void **)&f->dis, f->ndis * sizeof(*f->dis)) < 0 ||
	    get(s, &off, (void **)&f->icmp, f->nicmp * sizeof(*f->icmp)) < 0)
		goto fail;
	if (f->proto == IPPROTO_UDP) {
		if (get(s, &off, (void **)&f->udp, sizeof(*f->udp)) < 0)
			goto fail;
		struct trace_udp *u = f->udp;
		u->cap_pairs = u->npairs, u->cap_unanswered = u->nunanswered;
		if (get(s, &off, (void **)&u->pairs, u->npairs * sizeof(*u->pairs)) < 0 ||
		    get(s, &off, (void **)&u->unanswered, u->nunanswered * sizeof(*u->unanswered)) < 0)
			goto fail;
	}
	return 0;
fail:
	trace_flow_clear(f);
	return -1;
}

int trace_flowspill_ends(struct trace_flowspill *s, uint64_t off, struct trace_endpoint ep[2])
{
	return read_at(s, off + offsetof(struct trace_flow, ep), ep, 2 * sizeof(*ep));
}

void trace_flowspill_close(struct trace_flowspill *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
}
