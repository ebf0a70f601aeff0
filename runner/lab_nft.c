/* runner/lab_nft.c: nftables rules of a lab, built only from checked fields, in the lab's own table. */
#include "runner/lab_nft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_NFT_CHAIN "in"

/* Which namespace a rule goes in: the receiver's. Its input hook drops a packet after the
 * capture saw it, so the trace shows the lost packet and then its retransmission (a drop
 * at the sender's output hook would hide the original from the capture). */
static enum lab_host rule_host(const struct lab_net *n, enum lab_host from)
{
	if (n->topo == LAB_TOPO_LOOPBACK)
		return LAB_HOST_LAB;
	return from == LAB_HOST_CLIENT ? LAB_HOST_SERVER : LAB_HOST_CLIENT;
}

static void table_name(const struct lab_net *n, char *buf, size_t len)
{
	snprintf(buf, len, "hellolab_%ld", (long)n->pid);
}

int lab_nft_rule_text(const struct lab_impair *im, int port, int bit, char *buf, size_t len)
{
	/* the client is the originator of the connection (conntrack's "original" way) */
	int cl = im->from == LAB_HOST_CLIENT;
	const char *dir = cl ? "dport" : "sport";
	int n;

	switch (im->kind) {
	case LAB_IMP_NTH:
		n = snprintf(buf, len, "%s %s %d ct %s packets %ld counter drop", im->proto, dir, port,
			     cl ? "original" : "reply", im->nth);
		break;
	case LAB_IMP_FLAGS:
		/* once per connection: a conntrack mark bit remembers the first was dropped */
		n = snprintf(buf, len, "tcp %s %d tcp flags & %s == %s ct mark & 0x%x == 0 "
			     "ct mark set ct mark | 0x%x counter drop", dir, port, im->flags,
			     im->flags, 1u << bit, 1u << bit);
		break;
	case LAB_IMP_PERCENT:
		n = snprintf(buf, len, "%s %s %d numgen random mod 100 lt %ld counter drop",
			     im->proto, dir, port, im->percent);
		break;
	default:
		return -1;
	}
	return n > 0 && (size_t)n < len ? 0 : -1;
}

int lab_nft_hold_text(const struct lab_impair *im, int port, int bit, char *mark, size_t mlen,
		      char *hold, size_t hlen)
{
	int cl = im->from == LAB_HOST_CLIENT;
	unsigned seen;
	int n, k;

	if (im->kind != LAB_IMP_FLAGS || !im->hold || bit < 0 || bit >= LAB_IMPAIR_MAX)
		return -1;
	seen = 1u << (LAB_IMPAIR_MAX + bit);
	/* The other side's packet with the flag marks the connection, dropped or not... */
	n = snprintf(mark, mlen, "tcp %s %d tcp flags & %s == %s ct mark set ct mark | 0x%x",
		     cl ? "sport" : "dport", port, im->flags, im->flags, seen);
	/* ...and until then this side's packets with it are dropped, however late the other is. */
	k = snprintf(hold, hlen, "tcp %s %d tcp flags & %s == %s ct mark & 0x%x == 0 counter drop",
		     cl ? "dport" : "sport", port, im->flags, im->flags, seen);
	return n > 0 && (size_t)n < mlen && k > 0 && (size_t)k < hlen ? 0 : -1;
}

static int nft(const struct lab_net *n, enum lab_host h, const char *cmd, char *err, size_t errlen)
{
	struct lab_where w = lab_net_where(n, h);
	char *argv[] = { "nft", (char *)cmd, NULL };

	return lab_proc_cmd(&w, argv, err, errlen);
}

static int table_up(const struct lab_net *n, enum lab_host h, int *made, char *err, size_t errlen)
{
	char t[32], cmd[256];

	if (made[h])
		return 0;
	table_name(n, t, sizeof t);
	snprintf(cmd, sizeof cmd, "add table inet %s; add chain inet %s " LAB_NFT_CHAIN
		 " { type filter hook input priority 0; }", t, t);
	if (nft(n, h, cmd, err, errlen) < 0)
		return -1;
	made[h] = 1;
	return 0;
}

/* A drop also logs the packet, named by its rule, to the lab's nflog group: at once
 * (queue-threshold 1), its headers only (snaplen). */
static int add_rule(const struct lab_net *n, enum lab_host h, const char *name, const char *rule,
		    int *made, char *err, size_t errlen)
{
	static const char drop[] = " drop";
	char t[32], cmd[768];
	size_t len = strlen(rule);
	int log = len > sizeof drop - 1 && strcmp(rule + len - (sizeof drop - 1), drop) == 0;

	if (table_up(n, h, made, err, errlen) < 0)
		return -1;
	table_name(n, t, sizeof t);
	if (log)
		snprintf(cmd, sizeof cmd, "add rule inet %s " LAB_NFT_CHAIN " %.*s log prefix \"%s\" group %d "
			 "snaplen 256 queue-threshold 1 drop comment \"%s\"", t, (int)(len - (sizeof drop - 1)),
			 rule, name, LAB_NFT_LOG_GROUP, name);
	else
		snprintf(cmd, sizeof cmd, "add rule inet %s " LAB_NFT_CHAIN " %s comment \"%s\"", t, rule, name);
	return nft(n, h, cmd, err, errlen);
}

static void try_delay(const struct lab_net *n, const struct lab_impair *im, json_t *notes)
{
	char ms[32], e[256], note[400];
	const char *dev = n->topo == LAB_TOPO_LOOPBACK ? "lo" : n->veth[1];
	char *argv[] = { "tc", "qdisc", "add", "dev", (char *)dev, "root", "netem", "delay", ms, NULL };
	struct lab_where w = lab_net_where(n, n->topo == LAB_TOPO_LOOPBACK ? LAB_HOST_LAB : LAB_HOST_SERVER);

	snprintf(ms, sizeof ms, "%ldms", im->delay_ms);
	if (lab_proc_cmd(&w, argv, e, sizeof e) == 0) {
		snprintf(note, sizeof note, "%s: %ld ms delay on %s (netem)", im->name, im->delay_ms, dev);
	} else {
		snprintf(note, sizeof note, "%s: delay unavailable on this kernel (no netem: %s); "
			 "running without it", im->name, e);
	}
	json_array_append_new(notes, json_string(note));
}

/* sysctl in that namespace: per-connection packet counts, which "ct ... packets" reads */
static int conntrack_acct(const struct lab_net *n, enum lab_host h, char *err, size_t errlen)
{
	struct lab_where w = lab_net_where(n, h);
	char *argv[] = { "sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1", NULL };

	return lab_proc_cmd(&w, argv, err, errlen);
}

int lab_nft_up(const struct lab_def *d, const struct lab_net *n, int port, long loss_percent,
	       json_t *notes, char *err, size_t errlen)
{
	int made[3] = { 0, 0, 0 }, h;
	char rule[256], name[40], mark[256], hold[256];
	size_t i;

	/* The marks first: a drop rule ends the chain for its packet, which must be marked. */
	for (i = 0; i < d->nimpair; i++) {
		const struct lab_impair *im = &d->impair[i];
		if (!im->hold)
			continue;
		if (lab_nft_hold_text(im, port, (int)i, mark, sizeof mark, hold, sizeof hold) < 0) {
			snprintf(err, errlen, "impair %s: rule too long", im->name);
			return -1;
		}
		if (add_rule(n, rule_host(n, im->from), im->name, mark, made, err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < d->nimpair; i++) {
		const struct lab_impair *im = &d->impair[i];
		if (im->kind == LAB_IMP_DELAY) {
			try_delay(n, im, notes);
			continue;
		}
		if (lab_nft_rule_text(im, port, (int)i, rule, sizeof rule) < 0) {
			snprintf(err, errlen, "impair %s: rule too long", im->name);
			return -1;
		}
		if (add_rule(n, rule_host(n, im->from), im->name, rule, made, err, errlen) < 0)
			return -1;
		if (im->hold && (lab_nft_hold_text(im, port, (int)i, mark, sizeof mark, hold, sizeof hold) < 0 ||
				 add_rule(n, rule_host(n, im->from), im->name, hold, made, err, errlen) < 0))
			return -1;
	}
	if (loss_percent > 0) {
		struct lab_impair im = { .kind = LAB_IMP_PERCENT, .percent = loss_percent };
		snprintf(im.proto, sizeof im.proto, "%s", strcmp(d->protocol, "udp") == 0 ? "udp" : "tcp");
		for (h = LAB_HOST_CLIENT; h <= LAB_HOST_SERVER; h++) {
			im.from = (enum lab_host)h;
			snprintf(name, sizeof name, "loss-from-%s", lab_host_name(im.from));
			if (lab_nft_rule_text(&im, port, 0, rule, sizeof rule) < 0 ||
			    add_rule(n, rule_host(n, im.from), name, rule, made, err, errlen) < 0)
				return -1;
		}
		json_array_append_new(notes, json_string("random loss is on (--loss): results vary "
							 "from run to run, checks may fail"));
	}
	for (h = 0; h < 3; h++)
		if (made[h] && conntrack_acct(n, (enum lab_host)h, err, errlen) < 0)
			return -1;
	return 0;
}

/* Adds {"NAME": {"dropped": N, ...}} for each commented rule of one namespace's table. */
static int counters_of(const struct lab_net *n, enum lab_host h, json_t *out, char *err, size_t errlen)
{
	struct lab_where w = lab_net_where(n, h);
	char t[32], *text = NULL;
	char *argv[] = { "nft", "-j", "list", "table", "inet", t, NULL };
	json_t *j, *items, *it;
	json_error_t je;
	int code;
	size_t i;

	table_name(n, t, sizeof t);
	if (lab_proc_capture(&w, argv, 5000, "/dev/null", &text, &code, err, errlen) < 0)
		return -1;
	j = code == 0 ? json_loads(text, 0, &je) : NULL;
	free(text);
	if (!j) {
		snprintf(err, errlen, "nft -j list table inet %s: no readable answer (exit %d)", t, code);
		return -1;
	}
	items = json_object_get(j, "nftables");
	json_array_foreach(items, i, it) {
		json_t *rule = json_object_get(it, "rule"), *ex, *e;
		const char *name = json_string_value(json_object_get(rule, "comment"));
		size_t k;
		if (!name)
			continue;
		ex = json_object_get(rule, "expr");
		json_array_foreach(ex, k, e) {
			json_t *c = json_object_get(e, "counter");
			/* A held rule is two drop rules under one name: their drops add up. */
			json_int_t before = json_integer_value(json_object_get(json_object_get(out, name), "dropped"));
			if (c)
				json_object_set_new(out, name, json_pack("{s:I, s:s, s:s}", "dropped",
					before + json_integer_value(json_object_get(c, "packets")),
					"host", lab_host_name(h), "ns", n->ns[h]));
		}
	}
	json_decref(j);
	return 0;
}

json_t *lab_nft_counters(const struct lab_def *d, const struct lab_net *n, long loss_percent,
			 char *err, size_t errlen)
{
	json_t *out = json_object();
	int used[3] = { 0, 0, 0 }, h;
	size_t i;

	for (i = 0; i < d->nimpair; i++)
		if (d->impair[i].kind != LAB_IMP_DELAY)
			used[rule_host(n, d->impair[i].from)] = 1;
	if (loss_percent > 0) {
		used[rule_host(n, LAB_HOST_CLIENT)] = 1;
		used[rule_host(n, LAB_HOST_SERVER)] = 1;
	}
	for (h = 0; h < 3; h++)
		if (used[h] && counters_of(n, (enum lab_host)h, out, err, errlen) < 0) {
			json_decref(out);
			return NULL;
		}
	return out;
}
