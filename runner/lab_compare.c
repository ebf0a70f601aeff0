/* runner/lab_compare.c: what the same hello exchange costs over TCP and over UDP, from two runs. */
#include "runner/lab_compare.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonget.h"
#include "core/measure.h"
#include "runner/lab_proc.h"

/* Packets the lab's own rules dropped (result.json's impair counters); -1 without result.json. */
static long long dropped(json_t *result)
{
	json_t *imp;
	const char *k;
	long long n = 0;

	if (!json_is_object(result))
		return -1;
	json_object_foreach(json_object_get(result, "impair"), k, imp)
		n += hello_json_num(imp, "dropped", 0);
	return n;
}

static int load(const char *dir, json_t **trace, json_t **result, FILE *err)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof p, "%s/trace.json", dir);
	*trace = json_load_file(p, 0, NULL);
	snprintf(p, sizeof p, "%s/result.json", dir);
	*result = json_load_file(p, 0, NULL);
	if (!json_is_object(*trace)) {
		fprintf(err, "hello-lab: compare: %s/trace.json: missing or unreadable\n", dir);
		return -1;
	}
	return 0;
}

int lab_compare_main(const char *tcp_dir, const char *udp_dir, const char *html, const char *bindir,
		     FILE *out, FILE *err)
{
	json_t *tr[2] = { NULL, NULL }, *rr[2] = { NULL, NULL };
	const char *dirs[2] = { tcp_dir, udp_dir }, *names[2];
	struct hello_measure m[2];
	char prog[PATH_MAX + 16], path[2][PATH_MAX + 16], name[2][160], d[2][32], e[256];
	int rc = 1, i;

	for (i = 0; i < 2; i++) {
		if (load(dirs[i], &tr[i], &rr[i], err) < 0)
			goto out;
		hello_measure_trace(tr[i], &m[i]);
		snprintf(path[i], sizeof path[i], "%s/trace.json", dirs[i]);
		hello_measure_name(tr[i], path[i], name[i], sizeof name[i]);
		names[i] = name[i];
		long long n = dropped(rr[i]);
		snprintf(d[i], sizeof d[i], n < 0 ? "-" : "%lld", n);
	}
	hello_measure_table(out, names, m);
	hello_measure_line(out, "dropped by the lab's rules", d[0], d[1]);
	hello_measure_footer(out);
	rc = 0;
	snprintf(prog, sizeof prog, "%s/hello-trace", bindir);
	if (html && access(prog, X_OK) == 0) {
		struct lab_where here = { -1, 0 };
		/* the same names as the table above, whatever render would pick itself */
		char *cargv[] = { prog, "render", "--compare", path[0], path[1], "--label", name[0],
				  "--label", name[1], "--format", "html", "-o", (char *)html, NULL };
		if (lab_proc_cmd(&here, cargv, e, sizeof e) == 0)
			fprintf(out, "  side-by-side diagrams: %s\n", html);
		else
			fprintf(out, "  no side-by-side diagrams (%s)\n", e);
	}
out:
	for (i = 0; i < 2; i++)
		json_decref(tr[i]), json_decref(rr[i]);
	return rc;
}
