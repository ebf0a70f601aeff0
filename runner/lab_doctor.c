/* runner/lab_doctor.c: what this machine lets hello-lab do, found by doing each step once. */
#include "runner/lab_doctor.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/lab_net.h"
#include "runner/lab_proc.h"
#include "runner/lab_userns.h"

/* The first number in FILE, or -1. */
static long read_long(const char *file)
{
	FILE *f = fopen(file, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static struct lab_doctor_step *add(struct lab_doctor_step *s, size_t *n, const char *name, int needed)
{
	struct lab_doctor_step *x = &s[(*n)++];

	memset(x, 0, sizeof *x);
	x->name = name;
	x->needed = needed;
	x->ok = -1;
	return x;
}

/* The one line that lets an ordinary user have user namespaces, by what the kernel says. */
static void userns_fix(struct lab_doctor_step *x, int err, const char *bindir)
{
	if (read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		snprintf(x->fix, sizeof x->fix, "Ubuntu's AppArmor allows user namespaces only to programs "
			 "with a profile: sudo sh %s/../tools/apparmor/install.sh %s/hello-lab", bindir, bindir);
	else if (read_long("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		snprintf(x->fix, sizeof x->fix, "sudo sysctl -w kernel.unprivileged_userns_clone=1");
	else if (err == ENOSPC || read_long("/proc/sys/user/max_user_namespaces") == 0)
		snprintf(x->fix, sizeof x->fix, "sudo sysctl -w user.max_user_namespaces=15000");
	else
		snprintf(x->fix, sizeof x->fix, "ask the machine's administrator, or run as root (sudo)");
}

/* hello-trace for a second on the client's lo: capture, sock_diag and the tracepoint, each
 * as the tracer found it (its trace's capture.state_sources). */
static void trace_steps(const char *bindir, struct lab_net *net, struct lab_doctor_step *cap,
			struct lab_doctor_step *diag, struct lab_doctor_step *tp)
{
	char prog[4200], dir[64] = "/tmp/hello-doctor.XXXXXX", out[96], e[256], *text = NULL;
	char *argv[] = { prog, "-i", "lo", "--duration", "1", "-o", out, "tcp port 9", NULL };
	struct lab_where w = lab_net_where(net, LAB_HOST_CLIENT);
	json_t *doc, *src, *notes;
	json_error_t je;
	int code = -1;
	size_t i;

	snprintf(prog, sizeof prog, "%s/hello-trace", bindir);
	/* a folder of our own: a name in /tmp another user could guess is not written through */
	if (!mkdtemp(dir)) {
		cap->ok = 0;
		snprintf(cap->detail, sizeof cap->detail, "mkdtemp %s: %s", dir, strerror(errno));
		return;
	}
	snprintf(out, sizeof out, "%s/trace.json", dir);
	if (lab_proc_capture(&w, argv, 10000, NULL, &text, &code, e, sizeof e) < 0 || code != 0) {
		cap->ok = 0;
		if (!text)
			snprintf(cap->detail, sizeof cap->detail, "%s", e);
		else if (text[0])
			snprintf(cap->detail, sizeof cap->detail, "%s", text);
		else
			snprintf(cap->detail, sizeof cap->detail, "hello-trace ended with status %d and said nothing", code);
		cap->detail[strcspn(cap->detail, "\n")] = '\0';
		free(text);
		unlink(out);
		rmdir(dir);
		return;
	}
	free(text);
	doc = json_load_file(out, 0, &je);
	unlink(out);
	rmdir(dir);
	if (!doc) {
		cap->ok = 0;
		snprintf(cap->detail, sizeof cap->detail, "the trace does not read: %s", je.text);
		return;
	}
	cap->ok = 1;
	snprintf(cap->detail, sizeof cap->detail, "hello-trace captured on lo for 1 s");
	src = json_object_get(json_object_get(doc, "capture"), "state_sources");
	diag->ok = json_is_true(json_object_get(src, "sock_diag"));
	tp->ok = json_is_true(json_object_get(src, "tracepoint"));
	notes = json_object_get(src, "notes");
	for (i = 0; i < json_array_size(notes); i++) {
		const char *n = json_string_value(json_array_get(notes, i));
		struct lab_doctor_step *x = n && strncmp(n, "tracefs", 7) == 0 ? tp : diag;
		if (n && !x->ok && !x->detail[0])
			snprintf(x->detail, sizeof x->detail, "%s", n);
	}
	if (diag->ok)
		snprintf(diag->detail, sizeof diag->detail, "the kernel's TCP states and TIME_WAIT timers");
	if (tp->ok)
		snprintf(tp->detail, sizeof tp->detail, "every state transition, as it happens");
	else
		snprintf(tp->fix, sizeof tp->fix, "none needed: labs run without it (states from sock_diag); "
			 "as root they have it");
	json_decref(doc);
}

size_t lab_doctor_run(const char *bindir, struct lab_doctor_step *s, int *labs_ok)
{
	struct lab_doctor_step *who, *ns, *nft, *cap, *diag, *tp;
	char table[64], e[256];
	char *argv[] = { "nft", table, NULL };
	struct lab_net net;
	size_t n = 0, i;

	who = add(s, &n, geteuid() == 0 ? "root" : "user namespace", 1);
	ns = add(s, &n, "network namespaces and veth", 1);
	nft = add(s, &n, "nftables table", 1);
	cap = add(s, &n, "capture (libpcap)", 1);
	diag = add(s, &n, "sock_diag", 0);
	tp = add(s, &n, LAB_DOCTOR_TRACEPOINT, 0);
	if (geteuid() == 0) {
		who->ok = 1;
		snprintf(who->detail, sizeof who->detail, "labs make their namespaces on the host");
	} else if (lab_userns_enter(who->detail, sizeof who->detail) == 0) {
		who->ok = 1;
		snprintf(who->detail, sizeof who->detail, "not root: labs run in a user namespace of their own");
	} else {
		who->ok = 0;
		userns_fix(who, errno, bindir);
	}
	if (who->ok && lab_net_up(&net, LAB_TOPO_TWO_HOSTS, getpid(), ns->detail, sizeof ns->detail) == 0) {
		ns->ok = 1;
		snprintf(ns->detail, sizeof ns->detail, "ip netns add, a veth pair, addresses, checksum offload off");
		snprintf(table, sizeof table, "add table inet hellolab_%ld", (long)getpid());
		struct lab_where w = lab_net_where(&net, LAB_HOST_SERVER);
		nft->ok = lab_proc_cmd(&w, argv, e, sizeof e) == 0;
		snprintf(nft->detail, sizeof nft->detail, "%s", nft->ok ? "a table of the lab's own loads" : e);
		if (!nft->ok)
			snprintf(nft->fix, sizeof nft->fix, "install nftables (Debian: sudo apt-get install nftables)");
		trace_steps(bindir, &net, cap, diag, tp);
		lab_net_down(&net);
	} else if (who->ok) {
		ns->ok = 0;
		snprintf(ns->fix, sizeof ns->fix, "install iproute2 (Debian: sudo apt-get install iproute2)");
	}
	*labs_ok = 1;
	for (i = 0; i < n; i++)
		if (s[i].needed && s[i].ok != 1)
			*labs_ok = 0;
	return n;
}
