/* runner/lab_net.h: a run's private network: namespaces and veth named after the run's pid. */
#ifndef LAB_NET_H
#define LAB_NET_H

#include <stddef.h>
#include <sys/types.h>

#include "runner/lab_def.h"
#include "runner/lab_proc.h"

#define LAB_NET_PREFIX "hl-"	/* namespaces: hl-PID-lab, hl-PID-client, hl-PID-server */

struct lab_net {
	pid_t pid;
	enum lab_topo topo;
	char ns[3][32];		/* by enum lab_host; "" when the topology has no such host */
	int fd[3];
	unsigned long long outer_ino;
	char server_addr[16], client_addr[16];
	char veth[2][16];	/* client side, server side (two-hosts) */
	char capture_iface[16];	/* where the tracer listens */
	enum lab_host capture_host;
};

/* Makes the namespaces (and the veth pair) for topo. On failure, what was made is removed
 * and err says what failed ("ip netns add hl-123-lab: exit 1: ..."). */
int lab_net_up(struct lab_net *n, enum lab_topo topo, pid_t pid, char *err, size_t errlen);

/* Removes everything lab_net_up made; safe to call twice and after a partial setup. */
void lab_net_down(struct lab_net *n);

/* Lets go of the namespaces without removing them (--keep). */
void lab_net_forget(struct lab_net *n);

/* How to run a child in a host's namespace. */
struct lab_where lab_net_where(const struct lab_net *n, enum lab_host h);

/* Removes hl-PID-* namespaces (and hellolab-PID tracefs instances) whose PID is dead:
 * what a killed run left behind. Returns how many were removed; names go to log(). */
int lab_net_sweep(void (*log)(const char *name, void *arg), void *arg);

/* 1 when this process makes its namespaces on the host (root); an ordinary user enters a
 * user namespace of its own first (runner/lab_userns.h). */
int lab_net_allowed(void);

#endif
