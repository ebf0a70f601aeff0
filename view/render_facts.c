/* view/render_facts.c: the HTML report's reading aids: each flow's facts table, the sequence-number toggle, the legend of letters and marks, where time 0 lies. */
#include "view/render_facts.h"

#include "core/jsonget.h"
#include "view/facts.h"
#include "view/render_svg.h"

/* The letters as docs/trace-format.md defines them (Zeek's conn.log for history and
 * conn_state; the trace's own order of TCP flags). */
struct legend_item {
	const char *k, *v;
};

static const struct legend_item history_letters[] = {
	{ "S", "SYN" }, { "H", "SYN+ACK" }, { "A", "pure ACK" }, { "D", "payload" }, { "F", "FIN" },
	{ "R", "RST" }, { "T", "retransmitted payload" }, { "G", "content gap" }, { "W", "zero window" },
	{ "Q", "SYN with FIN or RST" }, { "I", "FIN with RST" }, { "^", "direction flipped (SYN not seen)" },
};

static const struct legend_item conn_states[] = {
	{ "S0", "attempt, no reply" }, { "S1", "established, not closed" },
	{ "SF", "both sides closed (FINs)" }, { "REJ", "a RST answered the SYN" },
	{ "S2", "established, only the client's FIN seen" }, { "S3", "established, only the server's FIN seen" },
	{ "RSTO", "the client sent a RST" }, { "RSTR", "the server sent a RST" },
	{ "RSTOS0", "client SYN then RST, no SYN+ACK" }, { "RSTRH", "server SYN+ACK then RST, no SYN seen" },
	{ "SH", "SYN then FIN, no answer" }, { "SHR", "SYN+ACK then FIN, no answer" },
	{ "OTH", "anything else (picked up midstream)" },
};

static const struct legend_item flag_letters[] = {
	{ "S", "SYN" }, { "F", "FIN" }, { "R", "RST" }, { "P", "PSH" }, { "A", "ACK" },
	{ "U", "URG" }, { "E", "ECE" }, { "W", "CWR" },
};

static const struct legend_item syn_options[] = {
	{ "MSS", "maximum segment size" }, { "WS", "window scale (the shift of the window field)" },
	{ "SACK", "selective acknowledgements permitted" }, { "TS", "timestamps" },
};

static void esc(FILE *out, const char *s)
{
	view_render_svg_escape(out, s);
}

void view_render_facts_table(FILE *out, json_t *flow)
{
	struct view_facts x;
	int i, s;

	view_facts_build(flow, &x);
	if (!x.n)
		return;
	fputs("<table class=\"flowfacts\">\n<thead><tr><th>facts</th><th>client</th><th>server</th></tr></thead>\n<tbody>\n", out);
	for (i = 0; i < x.n; i++) {
		const struct view_facts_row *r = &x.row[i];

		fprintf(out, "<tr data-fact=\"%s\"><th>", r->key);
		esc(out, r->label);
		fputs("</th>", out);
		for (s = 0; s < (r->span ? 1 : 2); s++) {
			fputs(r->span ? "<td colspan=\"2\">" : "<td>", out);
			esc(out, r->v[s]);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

void view_render_facts_isn_attrs(FILE *out, json_t *flow)
{
	static const char *const sides[2] = { "client", "server" };
	json_t *isn = json_object_get(flow, "isn");

	for (int s = 0; s < 2; s++)
		if (hello_json_num(isn, sides[s], -1) >= 0)
			fprintf(out, " data-isn-%s=\"%lld\"", sides[s], hello_json_num(isn, sides[s], 0));
}

void view_render_facts_origin(FILE *out, json_t *root)
{
	char s[256];

	view_facts_origin(root, s, sizeof(s));
	if (!s[0])
		return;
	fputs("<p class=\"origin\">", out);
	esc(out, s);
	fputs("; times are in ms.</p>\n", out);
}

static void legend_list(FILE *out, const char *title, const struct legend_item *v, size_t n, const char *after)
{
	fputs("<div><h3>", out);
	esc(out, title);
	fputs("</h3><dl>", out);
	for (size_t i = 0; i < n; i++) {
		fputs("<dt>", out);
		esc(out, v[i].k);
		fputs("</dt><dd>", out);
		esc(out, v[i].v);
		fputs("</dd>", out);
	}
	fputs("</dl>", out);
	if (after) {
		fputs("<p>", out);
		esc(out, after);
		fputs("</p>", out);
	}
	fputs("</div>\n", out);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

void view_render_facts_controls(FILE *out, int any_kernel)
{
	fputs("<div class=\"controls\"><label><input type=\"checkbox\" id=\"seq-abs\"> absolute sequence numbers "
	      "(the ISN added; the ladders are drawn relative to each side's ISN, 0 = its SYN)</label></div>\n"
	      "<details class=\"legendbox\" open><summary>What the letters and marks mean</summary>\n<div class=\"cols4\">\n", out);
	legend_list(out, "history (Zeek)", history_letters, N(history_letters),
		    "One letter per kind of event, in order of first occurrence: upper case from the client, "
		    "lower case from the server.");
	legend_list(out, "conn_state (Zeek)", conn_states, N(conn_states), NULL);
	legend_list(out, "TCP flags on an arrow", flag_letters, N(flag_letters),
		    "seq/ack are relative to the sender's / receiver's ISN; len is the payload.");
	legend_list(out, "SYN options", syn_options, N(syn_options), NULL);
	fputs("</div>\n<p>", out);
	esc(out, any_kernel ? "A state with * (green) was reported by the kernel (tracepoint or sock_diag) at that "
			      "moment, within 1 ms; one without (yellow) is inferred from the packets by the RFC 9293 "
			      "state machine; a later kernel report has a row of its own."
			    : "A state with * would have been observed by the kernel; every state here is inferred "
			      "from the packets by the RFC 9293 state machine.");
	fputs("</p>\n</details>\n", out);
}

const char view_render_facts_js[] =
	"(function(){\n"
	"  var box=document.getElementById('seq-abs'); if(!box) return;\n"
	"  var cache={};\n"
	"  function evs(t){ if(!(t in cache)){ var e=document.getElementById('events-'+t); cache[t]=e?JSON.parse(e.textContent):[]; } return cache[t]; }\n"
	"  /* a number relative to an ISN, back to the one on the wire (mod 2^32) */\n"
	"  function abs(isn,v){ return (Number(isn)+v)%4294967296; }\n"
	"  function show(absolute){\n"
	"    document.querySelectorAll('section.flow').forEach(function(sec){\n"
	"      var tr=sec.closest('[data-trace]'), t=tr?tr.getAttribute('data-trace'):'0';\n"
	"      var isn={client:sec.getAttribute('data-isn-client'),server:sec.getAttribute('data-isn-server')};\n"
	"      sec.querySelectorAll('svg.ladder g.arrow[data-event]').forEach(function(g){\n"
	"        var lbl=g.querySelector('text.lbl'), ev=evs(t)[parseInt(g.getAttribute('data-event'),10)];\n"
	"        if(!lbl||!ev||typeof ev.seq!=='number') return;\n"
	"        if(!lbl.hasAttribute('data-rel')) lbl.setAttribute('data-rel',lbl.textContent);\n"
	"        var s=lbl.getAttribute('data-rel'), peer=ev.from==='client'?'server':'client';\n"
	"        if(absolute&&isn[ev.from]!==null&&!ev.seq_absolute) s=s.replace(/\\bseq=\\d+/,'seq='+abs(isn[ev.from],ev.seq));\n"
	"        if(absolute&&isn[peer]!==null&&typeof ev.ack==='number'&&!ev.ack_absolute) s=s.replace(/\\back=\\d+/,'ack='+abs(isn[peer],ev.ack));\n"
	"        lbl.textContent=s;\n"
	"      });\n"
	"    });\n"
	"  }\n"
	"  box.checked=false;\n"
	"  box.addEventListener('change',function(){ show(box.checked); });\n"
	"})();\n";

const char view_render_facts_css[] =
	"table.flowfacts{border-collapse:collapse;font-size:13px;margin:4px 0 10px} table.flowfacts th,table.flowfacts td"
	"{padding:2px 10px;border-bottom:1px solid #e8eaed;text-align:left;font-family:'DejaVu Sans Mono',monospace}\n"
	"table.flowfacts tbody th{font-family:inherit;font-weight:normal;color:#5f6368} table.flowfacts thead th{font-family:inherit}\n"
	".origin{font-size:13px;color:#3c4043;margin:4px 0 0} .controls{font-size:13px;margin:6px 0 0}\n"
	"details.legendbox{font-size:12px;color:#3c4043;margin:6px 0 0} details.legendbox summary{cursor:pointer;font-size:13px}\n"
	".cols4{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:4px 18px}\n"
	".cols4 h3{font-size:12px;margin:6px 0 2px} .cols4 dl{display:grid;grid-template-columns:max-content 1fr;gap:0 8px;margin:0}\n"
	".cols4 dt{font-family:'DejaVu Sans Mono',monospace;font-weight:bold} .cols4 dd{margin:0} details.legendbox p{margin:4px 0}\n";
