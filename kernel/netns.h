/* kernel/netns.h: entering a named network namespace for a moment, to open a socket that stays bound there. */
#ifndef KERNEL_NETNS_H
#define KERNEL_NETNS_H

#include <stddef.h>
#include <stdint.h>

/* NAME (/var/run/netns/NAME) or PATH (anything holding a '/') into path. */
void kernel_netns_path(const char *name, char *path, size_t len);

/* Enters namespace name; *back is our own namespace to come back to (kernel_netns_leave).
 * Err: "netns lab1: open /var/run/netns/lab1: No such file or directory". */
int kernel_netns_enter(const char *name, int *back, char *err, size_t errlen);

/* Comes back to back (and closes it). -1 with err when that fails: the caller is then in
 * the wrong namespace and must give up. */
int kernel_netns_leave(int back, const char *name, char *err, size_t errlen);

/* The namespace's inode (0 when it cannot be read): two names of one namespace agree. NULL
 * or "": our own. */
uint64_t kernel_netns_ino(const char *name);

#endif
