/* runner/lab_userns.h: an ordinary user's way into the labs: a user namespace of its own. */
#ifndef LAB_USERNS_H
#define LAB_USERNS_H

#include <stddef.h>

/* Moves this process (single-threaded, not root) into a new user namespace and a private
 * network and mount namespace where it is root over what it makes: its uid and gid mapped to 0, a
 * private /run/netns for ip-netns's names. What it makes there goes with its last process.
 * 0, or -1 with ERR saying which step the kernel refused and why, and errno its error. */
int lab_userns_enter(char *err, size_t errlen);

/* 1 once lab_userns_enter succeeded in this process. */
int lab_userns_active(void);

#endif
