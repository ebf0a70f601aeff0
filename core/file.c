/* core/file.c: output files that are never seen half-written: PATH.tmp, flushed, fsync'ed, renamed into place. */
#include "core/file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A big buffer makes a trace of millions of events cheap to write; a terminal keeps
 * stdio's line buffering so that a person sees each line as it comes. */
static void file_buffer(struct hello_file *o, size_t bufsize)
{
	static char *stdout_buf;

	if (!bufsize || isatty(fileno(o->f)))
		return;
	if (o->f == stdout) {
		if (!stdout_buf && (stdout_buf = malloc(bufsize)) &&
		    setvbuf(stdout, stdout_buf, _IOFBF, bufsize) != 0) {
			free(stdout_buf);
			stdout_buf = NULL;
		}
		return;
	}
	if ((o->buf = malloc(bufsize)) && setvbuf(o->f, o->buf, _IOFBF, bufsize) != 0) {
		free(o->buf);
		o->buf = NULL;
	}
}

int hello_file_open(struct hello_file *o, const char *path, size_t bufsize, char *err, size_t errlen)
{
	struct stat st;
	size_t n;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		file_buffer(o, bufsize);
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(o->f = fopen(path, "w"))) {
			snprintf(err, errlen, "open %s: %s", path, strerror(errno));
			return -1;
		}
		file_buffer(o, bufsize);
		return 0;
	}
	n = strlen(path) + 5;
	o->path = strdup(path);
	o->tmp = malloc(n);
	if (!o->path || !o->tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	snprintf(o->tmp, n, "%s.tmp", path);
	if (!(o->f = fopen(o->tmp, "w"))) {
		snprintf(err, errlen, "create %s: %s", o->tmp, strerror(errno));
		goto fail;
	}
	file_buffer(o, bufsize);
	return 0;
fail:
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
	return -1;
}

static void file_release(struct hello_file *o)
{
	free(o->buf);		/* after fclose: stdio no longer uses it */
	free(o->path);
	free(o->tmp);
	memset(o, 0, sizeof(*o));
}

int hello_file_close(struct hello_file *o, char *err, size_t errlen)
{
	const char *name = o->tmp ? o->tmp : "output";
	int rc = 0;

	if (!o->f)
		return 0;
	if (o->f == stdout) {
		if (fflush(stdout) == EOF) {
			snprintf(err, errlen, "write standard output: %s", strerror(errno));
			rc = -1;
		}
		file_release(o);
		return rc;
	}
	if (fflush(o->f) == EOF || (o->tmp && fsync(fileno(o->f)) < 0)) {
		snprintf(err, errlen, "write %s: %s", name, strerror(errno));
		rc = -1;
	}
	if (fclose(o->f) == EOF && rc == 0) {
		snprintf(err, errlen, "close %s: %s", name, strerror(errno));
		rc = -1;
	}
	if (o->tmp && rc == 0 && rename(o->tmp, o->path) < 0) {
		snprintf(err, errlen, "rename %s to %s: %s", o->tmp, o->path, strerror(errno));
		rc = -1;
	}
	if (o->tmp && rc < 0)
		unlink(o->tmp);
	file_release(o);
	return rc;
}

void hello_file_abort(struct hello_file *o)
{
	if (o->f && o->f != stdout) {
		fclose(o->f);
		if (o->tmp)
			unlink(o->tmp);
	}
	file_release(o);
}
