/* runner/lab_grade.h: `hello-lab check`: finished runs graded against a lab definition (the teacher's copy, or each run's own), a line or a CSV row a run. */
#ifndef LAB_GRADE_H
#define LAB_GRADE_H

#include <stddef.h>
#include <stdio.h>

struct lab_grade_opts {
	const char *lab;	/* the teacher's lab folder or lab.json; NULL: each run's own copy */
	FILE *log;		/* each check's verdict, a summary a run; NULL: none */
	FILE *csv;		/* run,lab,verdict,held,total,failed: a row a run; NULL: none */
	int show_observed;	/* print what was observed for the checks that held too */
};

/*
 * Grades each of dirs: a run folder (it holds result.json), or a folder of run folders
 * (a class's submissions), taken in name order. A run that is not one, or a run of
 * another lab, is BROKEN. Returns 0 when every run held every check, 1 when one did not
 * or was BROKEN, -1 (err) when the teacher's lab cannot be loaded or nothing was found.
 */
int lab_grade_main(char *const *dirs, size_t ndirs, const struct lab_grade_opts *o, char *err, size_t errlen);

#endif
