/* trace/capture.c: opens libpcap live or offline, runs the capture loop with a tick, stops cleanly. */
#include "trace/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace/model_packet.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *what(const struct trace_capture *c)
{
	return c->o.interface ? "-i" : "-r";
}

static const char *name(const struct trace_capture *c)
{
	return c->o.interface ? c->o.interface : c->o.file;
}

static int open_live(struct trace_capture *c, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";

	if (!(c->p = pcap_create(c->o.interface, ebuf))) {
		snprintf(err, errlen, "-i %s: %s", c->o.interface, ebuf);
		return -1;
	}
	/* Not immediate mode: libpcap then uses TPACKET_V3, blocks of packets packed at their
	 * own size, handed over a block at a time (tcpdump's way): one wake-up per block, and
	 * whole packets cheap. Immediate mode's TPACKET_V2 woke us per packet and gave each a
	 * slot of the snap length (docs/performance.md, "Live capture"). The timeout is the
	 * block's (tp_retire_blk_tov): how long a packet may wait at low rates. */
	pcap_set_snaplen(c->p, c->o.snaplen);
	pcap_set_buffer_size(c->p, c->o.buffer_kib * 1024);
	pcap_set_immediate_mode(c->p, 0);
	pcap_set_timeout(c->p, TRACE_BLOCK_TIMEOUT_MS);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_MICRO);
	int st = pcap_activate(c->p);
	if (st < 0) {
		const char *why = pcap_geterr(c->p);
		if (st == PCAP_ERROR_NO_SUCH_DEVICE || !why || !*why)
			why = pcap_statustostr(st);
		snprintf(err, errlen, "-i %s: %s", c->o.interface, why);
		return -1;
	}
	return 0;
}

/* Whether path is a pcap file of nanosecond times (magic 0xa1b23c4d, either byte order).
 * libpcap does not say, and it matters: read in microseconds, libpcap 1.10 divides the
 * sign-extended field by 1000, so a field of 2^31 ns or more (invalid, but a file can say
 * it) cannot be taken back as unsigned. Only a regular file is looked at: reading from a
 * pipe would take its bytes from libpcap. */
static int file_is_nano(const char *path)
{
	static const unsigned char be[4] = { 0xa1, 0xb2, 0x3c, 0x4d }, le[4] = { 0x4d, 0x3c, 0xb2, 0xa1 };
	unsigned char m[4];
	struct stat st;
	int fd, nano = 0;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (read(fd, m, sizeof(m)) == (ssize_t)sizeof(m))
		nano = memcmp(m, be, 4) == 0 || memcmp(m, le, 4) == 0;
	close(fd);
	return nano;
}

static int open_file(struct trace_capture *c, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";

	c->nano = file_is_nano(c->o.file);
	c->p = pcap_open_offline_with_tstamp_precision(c->o.file, c->nano ? PCAP_TSTAMP_PRECISION_NANO :
						       PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if (!c->p) {
		/* libpcap's message may already start with the file name. */
		size_t n = strlen(c->o.file);
		const char *why = strncmp(ebuf, c->o.file, n) == 0 && ebuf[n] == ':' ? ebuf + n + 2 : ebuf;
		snprintf(err, errlen, "-r %s: %s", c->o.file, why);
		return -1;
	}
	return 0;
}

static int set_filter(struct trace_capture *c, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (!c->o.filter || !*c->o.filter)
		return 0;
	if (pcap_compile(c->p, &prog, c->o.filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "filter '%s': %s", c->o.filter, pcap_geterr(c->p));
		return -1;
	}
	int rc = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "filter '%s': %s", c->o.filter, pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

int trace_capture_open(struct trace_capture *c, const struct trace_capture_opts *o,
		       char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
	if (!c->o.snaplen)
		c->o.snaplen = TRACE_DEFAULT_SNAPLEN;
	if (!c->o.tick_ms)
		c->o.tick_ms = TRACE_TICK_MS;
	if (!c->o.buffer_kib)
		c->o.buffer_kib = TRACE_DEFAULT_BUFFER_KIB;
	if ((c->o.interface ? open_live(c, err, errlen) : open_file(c, err, errlen)) < 0)
		goto fail;
	c->dlt = pcap_datalink(c->p);
	c->linktype = pcap_datalink_val_to_name(c->dlt);
	/* A link type trace_decode does not know is still read: its packets are listed
	 * undecoded (trace_decode_dlt_supported tells the caller, who may warn). */
	if (!c->linktype)
		c->linktype = "UNKNOWN";
	if (c->o.file) {
		c->o.snaplen = pcap_snapshot(c->p);
		/* pcapng files report the section's major version, 1; pcap files 2. */
		c->file32 = pcap_major_version(c->p) == PCAP_VERSION_MAJOR;
	}
	if (set_filter(c, err, errlen) < 0)
		goto fail;
	if (c->o.write_path && !(c->dump = pcap_dump_open(c->p, c->o.write_path))) {
		snprintf(err, errlen, "-w %s: %s", c->o.write_path, pcap_geterr(c->p));
		goto fail;
	}
	return 0;
fail:
	if (c->p)
		pcap_close(c->p);
	c->p = NULL;
	return -1;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct trace_capture *c = (struct trace_capture *)user;
	struct trace_tstamp ts = trace_tstamp_from_timeval(h->ts.tv_sec, h->ts.tv_usec, c->file32, c->nano);

	if (c->o.count && c->seen >= c->o.count)
		return;
	c->seen++;
	if (c->dump) {
		pcap_dump((u_char *)c->dump, h, bytes);
		/* pcap_dump reports nothing: a full disk only sets the stream's error flag.
		 * Stop at once rather than capture on and lose the packets silently. Unlocked:
		 * only this thread writes the stream, and ferror's lock cost a share of the
		 * capture thread's time per packet. */
		if (!c->dump_errno && ferror_unlocked(pcap_dump_file(c->dump))) {
			c->dump_errno = errno ? errno : EIO;
			pcap_breakloop(c->p);
		}
	}
	if (trace_feed_packet(c->feed, &ts, bytes, h->caplen, h->len) < 0)
		c->failed = 1;
	if (c->o.count && c->seen >= c->o.count)
		pcap_breakloop(c->p);
}

void trace_capture_break(struct trace_capture *c)
{
	c->stop = 1;
	if (c->p)
		pcap_breakloop(c->p);
}

/* The ready signal: a lab starts its traffic only once this exists. */
static int signal_ready(struct trace_capture *c, char *err, size_t errlen)
{
	fprintf(stderr, "hello-trace: capturing on %s\n", c->o.interface);
	fflush(stderr);
	if (!c->o.ready_file)
		return 0;
	int fd = open(c->o.ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "--ready-file %s: %s", c->o.ready_file, strerror(errno));
		return -1;
	}
	char line[32];
	int n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	ssize_t w;
	do
		w = write(fd, line, (size_t)n);
	while (w < 0 && errno == EINTR);
	close(fd);
	return 0;
}

/* Returns the packets read, -1 on an error (err filled), -2 when pcap_breakloop was
 * called, -3 when a file cannot be read further (c->read_error says why). */
static int dispatch(struct trace_capture *c, char *err, size_t errlen)
{
	int n = pcap_dispatch(c->p, -1, on_packet, (u_char *)c);
	trace_feed_publish(c->feed);
	if (n == PCAP_ERROR && c->o.file && !c->failed && !c->dump_errno) {
		/* Every packet before the bad record has been handed over already. A short
		 * read set the stream's end-of-file flag: the file was cut (a capture killed,
		 * a disk full); anything else is a record libpcap refuses, or an I/O error. */
		FILE *fp = pcap_file(c->p);
		c->cut = fp && feof(fp);
		snprintf(c->read_error, sizeof(c->read_error), "%s", pcap_geterr(c->p));
		return -3;
	}
	if (n == PCAP_ERROR) {
		snprintf(err, errlen, "%s %s: %s", what(c), name(c), pcap_geterr(c->p));
		return -1;
	}
	if (c->failed) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	if (trace_feed_failed(c->feed, err, errlen))
		return -1;
	if (c->dump_errno) {
		snprintf(err, errlen, "-w %s: %s", c->o.write_path, strerror(c->dump_errno));
		return -1;
	}
	return n == PCAP_ERROR_BREAK ? -2 : n;
}

static int count_done(const struct trace_capture *c)
{
	return c->o.count && c->seen >= c->o.count;
}

static int run_file(struct trace_capture *c, char *err, size_t errlen)
{
	int n;

	while (!c->stop && !count_done(c)) {
		if ((n = dispatch(c, err, errlen)) == -1)
			return -1;
		if (n == -3) {
			trace_model_set_stop_reason(c->m, c->cut ? "truncated" : "read_error");
			return 0;
		}
		if (n == 0 && !c->stop && !count_done(c))
			break;		/* end of file */
	}
	trace_model_set_stop_reason(c->m, c->stop ? "signal" : count_done(c) ? "count" : "end_of_file");
	return 0;
}

/* A kernel poll's findings (held in the feed since `since`) follow the packets stamped
 * before it once a read that began TRACE_HANDOVER_MS later has been done. */
static int handover(struct trace_capture *c, int64_t *since, int64_t read_at, char *err, size_t errlen)
{
	if (*since < 0 || read_at < *since + TRACE_HANDOVER_MS)
		return 0;
	*since = -1;
	if (trace_feed_unhold(c->feed) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	return 0;
}

/* The tick's or the stop's hook, its findings held behind the packets not yet read. */
static int held_hook(struct trace_capture *c, int (*hook)(void *, struct trace_feed *, char *, size_t),
		     void *arg, int64_t *since, char *err, size_t errlen)
{
	/* one poll held at a time: an older one goes first (its packets are read by now) */
	if (*since >= 0 && handover(c, since, INT64_MAX / 2, err, errlen) < 0)
		return -1;
	if (!hook)
		return 0;
	trace_feed_hold(c->feed);
	*since = now_ms();
	int rc = hook(arg, c->feed, err, errlen);
	trace_feed_hold_done(c->feed);	/* the packets read from now on go ahead of it */
	return rc;
}

static int poll_ring(struct trace_capture *c, int fd, int64_t wait, char *err, size_t errlen)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (fd < 0 || wait <= 0)
		return 0;
	if (poll(&pfd, 1, (int)wait) < 0 && errno != EINTR) {
		snprintf(err, errlen, "poll %s: %s", c->o.interface, strerror(errno));
		return -1;
	}
	return 0;
}

static int run_live(struct trace_capture *c, const struct trace_capture_hooks *h,
		    char *err, size_t errlen)
{
	int fd = pcap_get_selectable_fd(c->p);
	char ebuf[PCAP_ERRBUF_SIZE];
	int64_t start = now_ms(), next_tick = start + c->o.tick_ms, held = -1, t;
	const char *reason = "signal";

	if (fd >= 0 && pcap_setnonblock(c->p, 1, ebuf) < 0)
		fd = -1;	/* fall back on the read timeout */
	while (!c->stop) {
		int64_t now = now_ms(), wait = next_tick - now;
		if (c->o.duration_ms && now - start >= c->o.duration_ms) {
			reason = "duration";
			break;
		}
		if (c->o.duration_ms && start + c->o.duration_ms - now < wait)
			wait = start + c->o.duration_ms - now;
		if (held >= 0 && held + TRACE_HANDOVER_MS - now < wait)
			wait = held + TRACE_HANDOVER_MS - now;
		if (poll_ring(c, fd, wait, err, errlen) < 0)
			return -1;
		t = now_ms();
		if (dispatch(c, err, errlen) == -1 || handover(c, &held, t, err, errlen) < 0)
			return -1;
		if (count_done(c)) {
			reason = "count";
			break;
		}
		if (now_ms() >= next_tick) {
			next_tick = now_ms() + c->o.tick_ms;
			if (held_hook(c, h ? h->tick : NULL, h ? h->arg : NULL, &held, err, errlen) < 0)
				return -1;
		}
	}
	if (held_hook(c, h ? h->before_stop : NULL, h ? h->arg : NULL, &held, err, errlen) < 0)
		return -1;
	/* The final drain: what the kernel still holds belongs to the trace, and the blocks
	 * still filling are handed over within TRACE_HANDOVER_MS. Bounded: traffic that goes
	 * on does not keep the capture from stopping. */
	int64_t stop_at = now_ms();
	for (int i = 0; fd >= 0 && !count_done(c) && i < 1000; i++) {
		t = now_ms();
		int n = dispatch(c, err, errlen);
		if (n == -1)
			return -1;
		if (t >= stop_at + TRACE_HANDOVER_MS && n == 0)
			break;
		if (n == 0 && poll_ring(c, fd, stop_at + TRACE_HANDOVER_MS - t, err, errlen) < 0)
			return -1;
	}
	if (handover(c, &held, INT64_MAX / 2, err, errlen) < 0)
		return -1;
	struct pcap_stat ps;
	if (pcap_stats(c->p, &ps) == 0) {
		c->stats = 1;
		c->ps_recv = ps.ps_recv, c->ps_drop = ps.ps_drop, c->ps_ifdrop = ps.ps_ifdrop;
	}
	if (trace_feed_stop(c->feed, err, errlen) < 0)
		return -1;
	if (c->stats)
		trace_model_set_stats(c->m, ps.ps_drop, ps.ps_ifdrop);
	trace_model_set_stop_reason(c->m, reason);
	return 0;
}

int trace_capture_run(struct trace_capture *c, struct trace_feed *f,
		      const struct trace_capture_hooks *h, char *err, size_t errlen)
{
	c->feed = f;
	c->m = f->m;
	if (h && h->active && h->active(h->arg, c->m, err, errlen) < 0)
		return -1;
	if (!c->o.interface)
		return run_file(c, err, errlen);
	if (trace_feed_start(f, err, errlen) < 0)
		return -1;
	int rc = signal_ready(c, err, errlen) < 0 ? -1 : run_live(c, h, err, errlen);
	if (rc < 0) {
		char e2[8];
		trace_feed_stop(f, e2, sizeof e2);
	}
	return rc;
}

int trace_capture_close(struct trace_capture *c, char *err, size_t errlen)
{
	int rc = 0;

	if (c->dump) {
		if (pcap_dump_flush(c->dump) < 0) {
			snprintf(err, errlen, "-w %s: %s", c->o.write_path, strerror(errno));
			rc = -1;
		}
		pcap_dump_close(c->dump);
		c->dump = NULL;
	}
	if (c->p)
		pcap_close(c->p);
	c->p = NULL;
	return rc;
}
