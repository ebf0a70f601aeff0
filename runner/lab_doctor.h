/* runner/lab_doctor.h: what this machine lets hello-lab do, found by doing each step once. */
#ifndef LAB_DOCTOR_H
#define LAB_DOCTOR_H

#include <stddef.h>

#define LAB_DOCTOR_MAX 8
#define LAB_DOCTOR_TRACEPOINT "tracepoint"	/* the step's name: the one a lab can do without */

struct lab_doctor_step {
	const char *name;	/* "user namespace", "network namespace", ... */
	int ok;			/* 1 works, 0 does not, -1 not tried (an earlier step failed) */
	int needed;		/* a lab cannot run without it */
	char detail[320];	/* what happened: the error, or what was seen */
	char fix[320];		/* the one line that would fix it; "" when none is needed or known */
};

/* Tries each step a run takes, as this user (not root: in a user namespace of its own, which
 * this process then stays in), with the programs of BINDIR. Fills up to LAB_DOCTOR_MAX steps
 * and returns how many; *labs_ok is 1 when every needed step worked. */
size_t lab_doctor_run(const char *bindir, struct lab_doctor_step *s, int *labs_ok);

#endif
