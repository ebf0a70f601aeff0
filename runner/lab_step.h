/* runner/lab_step.h: the steps of a lab: programs in a namespace, readiness, waits, stops. */
#ifndef LAB_STEP_H
#define LAB_STEP_H

#include <stddef.h>
#include <jansson.h>

#include "runner/lab_runner.h"

/* Runs step i. 0 done, -1 broken (err), -2 interrupted. */
int lab_step_exec(struct lab_runner *r, size_t i, char *err, size_t errlen);
/* 1 and the path of step i's --events file (RUN/events-STEP.jsonl) when its program writes one. */
int lab_step_events_file(const struct lab_runner *r, size_t i, char *buf, size_t len);

/* Stops the background steps still running and records every step in r->steps. */
void lab_step_finish(struct lab_runner *r);

/* steps as an array of {"name": ..., "exit": ..., "ms": ...} (the check context's step_list). */
json_t *lab_step_list(json_t *steps);

/* A log's lines as the checks see them (steps.NAME.lines): the first LAB_STEP_LINES_MAX
 * lines, each whole up to LAB_STEP_LINE_MAX bytes (a client prints each reply whole). */
#define LAB_STEP_LINES_MAX 2000
#define LAB_STEP_LINE_MAX 65536

/* Loads a log file's lines as a JSON array of strings (bounded as above). */
json_t *lab_step_lines(const char *path);

/* How many sockets the text of /proc/net/tcp (or udp, tcp6, udp6) holds whose local port
 * (or, for any state but LISTEN, remote port) is port and whose state is st (the kernel's
 * hex code; -1 any). */
int lab_step_sock_find(const char *procnet, int port, int st);

/* The kernel's /proc/net/tcp code for a state name (TIME_WAIT -> 6), -1 unknown. */
int lab_step_state_code(const char *name);

#endif
