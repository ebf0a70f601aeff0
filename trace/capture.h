/* trace/capture.h: the libpcap side of hello-trace: live (-i) or offline (-r), the loop, its hooks. */
#ifndef TRACE_CAPTURE_H
#define TRACE_CAPTURE_H

#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>

#include "trace/feed.h"
#include "trace/model.h"

/* Live snap length: any IP packet whole (tcpdump's historic -s 0). The live ring is
 * TPACKET_V3 (not immediate mode): packets are packed at their own size into blocks, so
 * whole packets cost what they are, not a slot of the snap length. Offline, the file's own. */
#define TRACE_DEFAULT_SNAPLEN 65535
/* Live capture's kernel buffer (-B): 256 blocks of 256 KiB, ~400,000 small packets on lo
 * (docs/performance.md, "Live capture"). */
#define TRACE_DEFAULT_BUFFER_KIB 65536
#define TRACE_TICK_MS 50
/* The kernel hands a block over when it is full or this old: the longest a packet waits
 * in the ring at low rates, and the wake-ups under load (one per block, not per packet). */
#define TRACE_BLOCK_TIMEOUT_MS 10
/* By this long after a moment, every packet stamped before it has been handed over: a
 * block retires within two of its timer's periods, plus the timer's own slack. A kernel
 * poll's findings wait that long in the feed, behind those packets. */
#define TRACE_HANDOVER_MS (2 * TRACE_BLOCK_TIMEOUT_MS + 5)

/* Where other state sources (the kernel's) plug into the loop. Every hook may be NULL;
 * a hook returning -1 (err filled) ends the capture with that error. */
struct trace_capture_hooks {
	void *arg;
	/* Once the capture is active, before the ready signal and before the model's thread
	 * starts (drop privileges here): m may be changed directly. */
	int (*active)(void *arg, struct trace_model *m, char *err, size_t errlen);
	/* Every tick_ms while capturing live. What it feeds is held until the packets stamped
	 * before the tick have been read (TRACE_HANDOVER_MS), then follows them. */
	int (*tick)(void *arg, struct trace_feed *f, char *err, size_t errlen);
	/* Once a stop is decided, before the final drain of the kernel's buffer; what it feeds
	 * follows the packets stamped before the stop, as tick's. */
	int (*before_stop)(void *arg, struct trace_feed *f, char *err, size_t errlen);
};

struct trace_capture_opts {
	const char *interface;		/* live: -i */
	const char *file;		/* offline: -r */
	const char *filter;		/* BPF, NULL for none */
	int snaplen;			/* 0: TRACE_DEFAULT_SNAPLEN */
	int buffer_kib;			/* live: -B, 0: TRACE_DEFAULT_BUFFER_KIB */
	uint64_t count;			/* -c, 0: no limit */
	int64_t duration_ms;		/* --duration, 0: no limit */
	const char *write_path;		/* -w */
	const char *ready_file;		/* --ready-file */
	int tick_ms;			/* 0: TRACE_TICK_MS */
};

struct trace_capture {
	struct trace_capture_opts o;
	pcap_t *p;
	pcap_dumper_t *dump;
	int dlt;
	const char *linktype;
	struct trace_model *m;
	struct trace_feed *feed;
	uint64_t seen;
	/* live, at the end: libpcap's counters (ps_recv: what passed the filter; ps_drop: what
	 * the kernel dropped for want of room in the ring); stats: they were read */
	uint64_t ps_recv, ps_drop, ps_ifdrop;
	int stats;
	int file32;			/* a pcap file: 32-bit unsigned times (trace/tstamp.h) */
	int nano;			/* ... of nanoseconds, read as such */
	int failed;			/* the model ran out of memory */
	int dump_errno;			/* -w: the first write error (a full disk), 0 none */
	/* -r: the file ended in a record libpcap could not read, after c->seen packets: what
	 * libpcap said ("" none), and whether it was cut short (else a bad record, an I/O
	 * error). The capture still ends normally: every packet before it is in the model. */
	char read_error[PCAP_ERRBUF_SIZE];
	int cut;
	volatile sig_atomic_t stop;
};

/* Opens the capture (activated, filtered, dumper ready). err: "-i eth9: No such device exists". */
int trace_capture_open(struct trace_capture *c, const struct trace_capture_opts *o,
		       char *err, size_t errlen);
/* Runs until end of file, -c, --duration or trace_capture_break; feeds f's model (live:
 * through f's thread, started and stopped here; offline: directly). A file that cannot be
 * read to its end stops the run with 0 and c->read_error set. */
int trace_capture_run(struct trace_capture *c, struct trace_feed *f,
		      const struct trace_capture_hooks *h, char *err, size_t errlen);
/* Asks the loop to stop; safe in a signal handler. */
void trace_capture_break(struct trace_capture *c);
/* Closes the dumper (flushing the pcap) and the capture. */
int trace_capture_close(struct trace_capture *c, char *err, size_t errlen);

#endif
