/* runner/lab_net.c: namespaces and veth for one run, made with ip(8), verified, checksums filled, swept when stale. */
#include "runner/lab_net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LAB_NETNS_DIR "/run/netns"
#define LAB_TRACEFS_INSTANCES "/sys/kernel/tracing/instances"
#define LAB_TRACEFS_PREFIX "hellolab-"

/* Addresses that exist only inside the two namespaces (RFC 5737 TEST-NET-2). */
#define LAB_CLIENT_ADDR "198.51.100.1"
#define LAB_SERVER_ADDR "198.51.100.2"

static const struct lab_where lab_here = { -1, 0 };

int lab_net_allowed(void)
{
	return geteuid() == 0;
}

struct lab_where lab_net_where(const struct lab_net *n, enum lab_host h)
{
	/* loopback: client and server are the same, single namespace */
	struct lab_where w = { n->fd[n->topo == LAB_TOPO_LOOPBACK ? LAB_HOST_LAB : h], n->outer_ino };

	if (w.nsfd < 0)
		w.outer_ino = LAB_WHERE_NOWHERE;	/* no namespace (yet): the child refuses */
	return w;
}

static int ns_add(struct lab_net *n, enum lab_host h, char *err, size_t errlen)
{
	char path[64];
	struct stat st;
	char *add[] = { "ip", "netns", "add", n->ns[h], NULL };

	snprintf(n->ns[h], sizeof n->ns[h], LAB_NET_PREFIX "%ld-%s", (long)n->pid, lab_host_name(h));
	if (lab_proc_cmd(&lab_here, add, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof path, LAB_NETNS_DIR "/%s", n->ns[h]);
	n->fd[h] = open(path, O_RDONLY | O_CLOEXEC);
	if (n->fd[h] < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	/* the safety check every later command relies on: a namespace of its own */
	if (fstat(n->fd[h], &st) < 0 || (unsigned long long)st.st_ino == n->outer_ino) {
		snprintf(err, errlen, "%s is not a new network namespace; refusing to go on", path);
		return -1;
	}
	return 0;
}

static int ns_cmd(struct lab_net *n, enum lab_host h, char *const argv[], char *err,
		  size_t errlen)
{
	struct lab_where w = lab_net_where(n, h);

	return lab_proc_cmd(&w, argv, err, errlen);
}

static int lo_up(struct lab_net *n, enum lab_host h, char *err, size_t errlen)
{
	char *up[] = { "ip", "link", "set", "lo", "up", NULL };

	return ns_cmd(n, h, up, err, errlen);
}

/* In a child: joins W's namespace (checked as every lab child is) and turns IFNAME's
 * transmit checksum offload off. 0, or an errno as the exit status. */
static int csum_off_child(const struct lab_where *w, const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ifreq ifr;
	struct stat st;
	int s;

	if (w->nsfd < 0 || setns(w->nsfd, CLONE_NEWNET) < 0)
		return w->nsfd < 0 ? ENOENT : errno;
	if (stat("/proc/self/ns/net", &st) < 0 || (unsigned long long)st.st_ino == w->outer_ino)
		return EPERM;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	return ioctl(s, SIOCETHTOOL, &ifr) < 0 ? errno : 0;
}

/* A veth leaves a sent packet's TCP/UDP checksum to hardware that does not exist, so a
 * capture there shows it unfilled (tcpdump -v and Wireshark say "incorrect"). Off, the
 * kernel fills it before the packet is captured: the pcap shows valid checksums. (lo does
 * the same, but its offload cannot be turned off: docs/labs.md, "Topologies".) */
static int csum_off(struct lab_net *n, enum lab_host h, const char *ifname, char *err, size_t errlen)
{
	struct lab_where w = lab_net_where(n, h);
	int st, code;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(csum_off_child(&w, ifname));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	code = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
	if (code == 0)
		return 0;
	snprintf(err, errlen, "%s in %s: checksum offload off (SIOCETHTOOL): %s", ifname, n->ns[h],
		 strerror(code));
	return -1;
}

static int veth_up(struct lab_net *n, char *err, size_t errlen)
{
	char *add[] = { "ip", "link", "add", n->veth[0], "type", "veth", "peer", "name",
			n->veth[1], "netns", n->ns[LAB_HOST_SERVER], NULL };
	char *ca[] = { "ip", "addr", "add", LAB_CLIENT_ADDR "/24", "dev", n->veth[0], NULL };
	char *sa[] = { "ip", "addr", "add", LAB_SERVER_ADDR "/24", "dev", n->veth[1], NULL };
	char *cu[] = { "ip", "link", "set", n->veth[0], "up", NULL };
	char *su[] = { "ip", "link", "set", n->veth[1], "up", NULL };

	snprintf(n->veth[0], sizeof n->veth[0], "hl%ldc", (long)n->pid);
	snprintf(n->veth[1], sizeof n->veth[1], "hl%lds", (long)n->pid);
	if (ns_cmd(n, LAB_HOST_CLIENT, add, err, errlen) < 0 ||
	    ns_cmd(n, LAB_HOST_CLIENT, ca, err, errlen) < 0 ||
	    ns_cmd(n, LAB_HOST_SERVER, sa, err, errlen) < 0 ||
	    ns_cmd(n, LAB_HOST_CLIENT, cu, err, errlen) < 0 ||
	    ns_cmd(n, LAB_HOST_SERVER, su, err, errlen) < 0 ||
	    csum_off(n, LAB_HOST_CLIENT, n->veth[0], err, errlen) < 0 ||
	    csum_off(n, LAB_HOST_SERVER, n->veth[1], err, errlen) < 0)
		return -1;
	snprintf(n->server_addr, sizeof n->server_addr, LAB_SERVER_ADDR);
	snprintf(n->client_addr, sizeof n->client_addr, LAB_CLIENT_ADDR);
	snprintf(n->capture_iface, sizeof n->capture_iface, "%s", n->veth[1]);
	n->capture_host = LAB_HOST_SERVER;
	return 0;
}

int lab_net_up(struct lab_net *n, enum lab_topo topo, pid_t pid, char *err, size_t errlen)
{
	memset(n, 0, sizeof *n);
	n->fd[0] = n->fd[1] = n->fd[2] = -1;
	n->pid = pid;
	n->topo = topo;
	n->outer_ino = lab_netns_ino();
	if (n->outer_ino == 0) {
		snprintf(err, errlen, "/proc/self/ns/net: cannot tell which namespace this is");
		return -1;
	}
	if (topo == LAB_TOPO_LOOPBACK) {
		if (ns_add(n, LAB_HOST_LAB, err, errlen) < 0 || lo_up(n, LAB_HOST_LAB, err, errlen) < 0)
			goto bad;
		snprintf(n->server_addr, sizeof n->server_addr, "127.0.0.1");
		snprintf(n->client_addr, sizeof n->client_addr, "127.0.0.1");
		snprintf(n->capture_iface, sizeof n->capture_iface, "lo");
		n->capture_host = LAB_HOST_LAB;
		return 0;
	}
	if (ns_add(n, LAB_HOST_CLIENT, err, errlen) < 0 || ns_add(n, LAB_HOST_SERVER, err, errlen) < 0 ||
	    lo_up(n, LAB_HOST_CLIENT, err, errlen) < 0 || lo_up(n, LAB_HOST_SERVER, err, errlen) < 0 ||
	    veth_up(n, err, errlen) < 0)
		goto bad;
	return 0;
bad:
	lab_net_down(n);
	return -1;
}

static void ns_del(const char *name)
{
	char *del[] = { "ip", "netns", "del", (char *)name, NULL };
	char err[256];

	lab_proc_cmd(&lab_here, del, err, sizeof err);
}

void lab_net_down(struct lab_net *n)
{
	int h;

	for (h = 0; h < 3; h++) {
		if (n->fd[h] >= 0)
			close(n->fd[h]);
		n->fd[h] = -1;
		/* the veth pair and the nftables table live inside: they go with it */
		if (n->ns[h][0])
			ns_del(n->ns[h]);
		n->ns[h][0] = '\0';
	}
}

void lab_net_forget(struct lab_net *n)
{
	int h;

	for (h = 0; h < 3; h++) {
		if (n->fd[h] >= 0)
			close(n->fd[h]);
		n->fd[h] = -1;
		n->ns[h][0] = '\0';
	}
}

/* NAME is PREFIX + pid + ("-" or end): the pid, or 0 when the name is not ours. */
static long owner_pid(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, pl) != 0)
		return 0;
	pid = strtol(name + pl, &end, 10);
	if (end == name + pl || (*end != '-' && *end != '\0') || pid <= 0)
		return 0;
	return pid;
}

static int dead(long pid)
{
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static int sweep_dir(const char *dir, const char *prefix, int is_ns,
		     void (*log)(const char *name, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		long pid = owner_pid(de->d_name, prefix);
		char path[512];
		if (!pid || !dead(pid))
			continue;
		if (is_ns) {
			ns_del(de->d_name);
		} else {
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			if (rmdir(path) < 0)
				continue;
		}
		if (log)
			log(de->d_name, arg);
		n++;
	}
	closedir(d);
	return n;
}

int lab_net_sweep(void (*log)(const char *name, void *arg), void *arg)
{
	return sweep_dir(LAB_NETNS_DIR, LAB_NET_PREFIX, 1, log, arg) +
	       sweep_dir(LAB_TRACEFS_INSTANCES, LAB_TRACEFS_PREFIX, 0, log, arg);
}
