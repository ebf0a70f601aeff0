/* runner/lab_compare.h: `hello-lab compare`: a TCP run and a UDP run side by side. */
#ifndef LAB_COMPARE_H
#define LAB_COMPARE_H

#include <stdio.h>
#include <jansson.h>

/* The numbers compared for one run, from its trace.json (and result.json). */
struct lab_cmp {
	long packets, client_packets, server_packets;
	long wire_bytes, payload_bytes;
	long asks_to_first;	/* client packets that asked (SYN, payload) before the 1st reply */
	long first_reply_us;	/* first "Hello, " from the server minus the client's first packet; -1 none */
	long replies;
	long retransmissions, unanswered, dropped;
	long duration_us;
};

/* Fills c from a trace (and a result, may be NULL). */
void lab_compare_measure(json_t *trace, json_t *result, struct lab_cmp *c);

/* Prints the table for two run folders to out (a run that cannot be read: to err), and
 * with html (may be NULL) asks hello-trace render for the side-by-side page; returns the
 * exit code. */
int lab_compare_main(const char *tcp_dir, const char *udp_dir, const char *html, const char *bindir,
		     FILE *out, FILE *err);

#endif
