/* kernel/netns.c: entering a named network namespace for a moment, to open a socket that stays bound there. */
#include "kernel/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kernel_netns_path(const char *name, char *path, size_t len)
{
	if (!name || !*name)
		snprintf(path, len, "/proc/self/ns/net");
	else if (strchr(name, '/'))
		snprintf(path, len, "%s", name);
	else
		snprintf(path, len, "/var/run/netns/%s", name);
}

int kernel_netns_enter(const char *name, int *back, char *err, size_t errlen)
{
	char path[256];
	int target, self;

	kernel_netns_path(name, path, sizeof path);
	if ((target = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "netns %s: open %s: %s", name, path, strerror(errno));
		return -1;
	}
	if ((self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "netns %s: open /proc/self/ns/net: %s", name, strerror(errno));
		close(target);
		return -1;
	}
	if (setns(target, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "netns %s: setns %s: %s", name, path, strerror(errno));
		close(target);
		close(self);
		return -1;
	}
	close(target);
	*back = self;
	return 0;
}

int kernel_netns_leave(int back, const char *name, char *err, size_t errlen)
{
	int rc = setns(back, CLONE_NEWNET);

	if (rc < 0)
		snprintf(err, errlen, "netns %s: setns back: %s", name, strerror(errno));
	close(back);
	return rc;
}

uint64_t kernel_netns_ino(const char *name)
{
	char path[256];
	struct stat st;

	kernel_netns_path(name, path, sizeof path);
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}
