/* runner/lab_def.h: a lab definition (labs/NAME/lab.json), loaded and checked. */
#ifndef LAB_DEF_H
#define LAB_DEF_H

#include <limits.h>
#include <stddef.h>
#include <jansson.h>

#include "runner/lab_check.h"
#include "runner/lab_vars.h"

enum lab_topo { LAB_TOPO_LOOPBACK, LAB_TOPO_TWO_HOSTS };

enum lab_stepk { LAB_STEP_RUN, LAB_STEP_SLEEP, LAB_STEP_WAIT_EXIT, LAB_STEP_STOP,
		 LAB_STEP_WAIT_SOCKET };

/* Which namespace a step or rule lives in: the single one of `loopback`, or a host. */
enum lab_host { LAB_HOST_LAB, LAB_HOST_CLIENT, LAB_HOST_SERVER };

struct lab_step {
	enum lab_stepk kind;
	char name[32];		/* run: this step's name; wait_exit/stop: the target */
	enum lab_host host;
	char **argv;		/* run: NULL-terminated, placeholders not yet expanded */
	int background;
	char ready_proto[8];	/* run: "tcp" (listening) or "udp" (bound), "" = none */
	char ready_port[24];	/* placeholder text, e.g. "{port}" */
	long timeout_ms;
	long sleep_ms;
	int signal;		/* stop */
	char state[16];		/* wait_socket: TIME_WAIT, LISTEN, ... */
	long count;		/* wait_socket: how many such sockets (default 1) */
	char say[160];		/* what the step shows, printed with the progress */
};

enum lab_impk { LAB_IMP_NTH, LAB_IMP_FLAGS, LAB_IMP_PERCENT, LAB_IMP_DELAY };

/* Each rule owns two bits of the connection's conntrack mark (dropped once, other side seen). */
#define LAB_IMPAIR_MAX 16

struct lab_impair {
	enum lab_impk kind;
	char name[32];
	char proto[4];		/* tcp, udp */
	enum lab_host from;	/* LAB_HOST_CLIENT or LAB_HOST_SERVER: who sends the packet */
	char port[24];		/* the service port, placeholder text; default "{port}" */
	long nth;		/* LAB_IMP_NTH: the n-th packet of the connection that way */
	char flags[8];		/* LAB_IMP_FLAGS: fin, syn, rst, psh: the first one per connection */
	int hold;		/* LAB_IMP_FLAGS: and every later one until the other side has sent the flag too */
	long percent;		/* LAB_IMP_PERCENT */
	long delay_ms;		/* LAB_IMP_DELAY (netem, where it exists) */
};

struct lab_expect {
	char *check;
	char *why;
	struct lab_check *parsed;	/* with placeholders: parsed with sample values (syntax) */
	int templated;			/* holds {port} and the like: expanded and parsed per run */
};

struct lab_def {
	char name[64];
	char goal[256];
	char protocol[16];
	char dir[PATH_MAX];
	enum lab_topo topo;
	int port;
	char filter[256];
	long settle_ms;		/* after the last step, before the capture stops */
	struct lab_step *steps;
	size_t nsteps;
	struct lab_impair *impair;
	size_t nimpair;
	struct lab_expect *expect;
	size_t nexpect;
	json_t *json;		/* the definition as read */
};

/* Loads DIR/lab.json. Returns NULL with err filled ("labs/x/lab.json: steps[2]: unknown
 * key 'backgroud'") when it cannot be read or does not follow the format. */
struct lab_def *lab_def_load(const char *dir, char *err, size_t errlen);

/* Checks and converts an already parsed definition; where names it in messages. */
struct lab_def *lab_def_from_json(json_t *j, const char *name, const char *where,
				  char *err, size_t errlen);

void lab_def_free(struct lab_def *d);


const char *lab_host_name(enum lab_host h);

#endif
