/* runner/lab_userns.c: an ordinary user's way into the labs: a user namespace of its own. */
#include "runner/lab_userns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int active;

int lab_userns_active(void)
{
	return active;
}

static int put(const char *path, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, text, len);
	if (n < 0 || (size_t)n != len) {
		snprintf(err, errlen, "write '%.*s' to %s: %s", (int)strcspn(text, "\n"), text, path,
			 n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	return close(fd);
}

/* ip netns keeps a name for each namespace under /run/netns: a tmpfs of our own there (on
 * /run when the host never made the folder) keeps the names ours alone, gone with us. */
static int private_netns_dir(char *err, size_t errlen)
{
	const char *on = "/run/netns";
	struct stat st;

	if (stat(on, &st) < 0 || !S_ISDIR(st.st_mode))
		on = "/run";
	if (mount("hellolab", on, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0) {
		snprintf(err, errlen, "mount a tmpfs on %s: %s", on, strerror(errno));
		return -1;
	}
	if (strcmp(on, "/run") == 0 && mkdir("/run/netns", 0755) < 0) {
		snprintf(err, errlen, "mkdir /run/netns: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A first change to the network, in the namespace of our own: where a security module made
 * the user namespace powerless (Ubuntu's AppArmor restriction lets unshare succeed), this is
 * where it shows, before any lab has begun. */
static int lo_up(char *err, size_t errlen)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0)
		snprintf(err, errlen, "bring lo up in the new network namespace: %s", strerror(errno));
	close(s);
	return rc;
}

int lab_userns_enter(char *err, size_t errlen)
{
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	char map[64];

	/* A network namespace too: ip netns add returns to the one it started in, which must be
	 * ours to enter (the host's belongs to the initial user namespace). */
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0) {
		int e = errno;
		snprintf(err, errlen, "unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWNS): %s%s", strerror(e),
			 e == ENOSPC ? " (no user namespace left to this user: sysctl user.max_user_namespaces "
			 "is 0 or reached)" :
			 e == EPERM ? " (ordinary users may not make one here: sysctl "
			 "kernel.unprivileged_userns_clone, or a security module)" : "");
		errno = e;	/* for a caller that names the fix (hello-lab doctor) */
		return -1;
	}
	/* setgroups first: an unprivileged gid_map is refused while setgroups is allowed */
	if (put("/proc/self/setgroups", "deny", err, errlen) < 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1\n", uid);
	if (put("/proc/self/uid_map", map, err, errlen) < 0)
		return -1;
	snprintf(map, sizeof map, "0 %u 1\n", gid);
	if (put("/proc/self/gid_map", map, err, errlen) < 0)
		return -1;
	/* nothing mounted from here on reaches the host's mount namespace */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(err, errlen, "make / private in the new mount namespace: %s", strerror(errno));
		return -1;
	}
	if (private_netns_dir(err, errlen) < 0 || lo_up(err, errlen) < 0)
		return -1;
	active = 1;
	return 0;
}
