/* tests/unit/test_lab_userns.c: an ordinary user's user namespace: uid 0 there, a network namespace and an empty /run/netns of its own, the host's untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/lab_userns.h"

static unsigned long long ns_ino(const char *which)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/self/ns/%s", which);
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* In a child, as uid 65534 when run as root: each finding is one bit of the exit status
 * (0 all well; 100 the kernel refused, said on stderr). */
static int child(unsigned long long user, unsigned long long net)
{
	char err[256];
	int bad = 0;

	/* dumpable again after setuid, as an exec makes a program: else /proc/self is root's */
	if (getuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
			      prctl(PR_SET_DUMPABLE, 1) < 0))
		return 99;
	if (lab_userns_active() != 0)
		bad |= 1;
	if (lab_userns_enter(err, sizeof err) < 0) {
		fprintf(stderr, "lab_userns_enter: %s\n", err);
		return 100;
	}
	bad |= (geteuid() != 0) << 1;
	bad |= (getegid() != 0) << 2;
	bad |= (ns_ino("user") == user) << 3;
	bad |= (ns_ino("net") == net) << 4;
	bad |= (dir_entries("/run/netns") != 0) << 5;
	bad |= (lab_userns_active() != 1) << 6;
	return bad;
}

static void test_enter(void **state)
{
	unsigned long long user = ns_ino("user"), net = ns_ino("net");
	int st, before = dir_entries("/run/netns");
	pid_t pid;

	(void)state;
	assert_true(user != 0 && net != 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child(user, net));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 100) {
		print_message("the kernel gives this user no user namespace: skipped\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the private mounts stayed in the child's namespace */
	assert_int_equal(dir_entries("/run/netns"), before);
	assert_int_equal(ns_ino("net"), net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
