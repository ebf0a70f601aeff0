/* core/file.h: output files that are never seen half-written: PATH.tmp, flushed, fsync'ed, renamed into place. */
#ifndef HELLO_FILE_H
#define HELLO_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Where the bytes go: standard output ("-" or NULL), a device or FIFO written in place
 * (-o /dev/null, a pipe: renaming over it would replace it), or PATH.tmp renamed to PATH
 * when complete. */
struct hello_file {
	FILE *f;
	char *path, *tmp;	/* NULL unless written through PATH.tmp */
	char *buf;		/* the stream's buffer (bufsize; stdout has its own) */
};

/* Opens path for writing with a stdio buffer of bufsize bytes (0: stdio's own). Returns
 * 0, or -1 with err ("create x.json.tmp: Permission denied"). */
int hello_file_open(struct hello_file *o, const char *path, size_t bufsize, char *err, size_t errlen);
/* Flushes; a file is fsync'ed and renamed into place. Returns 0, or -1 with err (the
 * half-written PATH.tmp is then removed). */
int hello_file_close(struct hello_file *o, char *err, size_t errlen);
/* Drops what was written (on failure): PATH.tmp is removed, PATH left as it was. */
void hello_file_abort(struct hello_file *o);

#endif
