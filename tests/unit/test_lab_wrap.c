/* tests/unit/test_lab_wrap.c: hello-lab's output wrapped at 80 columns: where lines break, where they go on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_wrap.h"

/* text written through a wrapping stream of width cols, in pieces of `piece` bytes each
 * followed by a flush (as a progress line is written); the result, to free. */
static char *wrapped(const char *text, int cols, size_t piece)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *mem = open_memstream(&buf, &len);
	FILE *w = lab_wrap_open(mem, cols);

	assert_non_null(w);
	for (i = 0; i < strlen(text); i += piece) {
		fwrite(text + i, 1, strlen(text) - i < piece ? strlen(text) - i : piece, w);
		fflush(w);
	}
	fclose(w);
	fclose(mem);
	return buf;
}

/* Every line of s is at most cols characters (UTF-8 sequences count one). */
static void assert_fits(const char *s, size_t cols)
{
	char *copy = strdup(s), *save = NULL, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (lab_wrap_cols(line) > cols)
			fail_msg("%zu columns: \"%s\"", lab_wrap_cols(line), line);
	free(copy);
}

static void test_short_lines_unchanged(void **state)
{
	const char *text = "lab tcp-hello: the tutorial's exchange\n  [1/4] server: ... ready\n\n"
			   "ms      client   │   server\n";
	char *out = wrapped(text, 80, 4096);

	(void)state;
	assert_string_equal(out, text);
	free(out);
}

static void test_breaks_at_spaces_with_a_hanging_indent(void **state)
{
	char *out;

	(void)state;
	/* "    FAIL  check": continuation lines go on under the check */
	out = wrapped("    FAIL  count(events[type=packet, from=client, retransmission]) >= 1 && "
		      "steps.client.exit == 0\n", 40, 4096);
	assert_string_equal(out, "    FAIL  count(events[type=packet,\n"
				 "          from=client, retransmission])\n"
				 "          >= 1 && steps.client.exit == 0\n");
	free(out);
	/* no column after two spaces: the line's indent plus four */
	out = wrapped("  note: the capture saw 0 packets: nothing was sent\n", 32, 4096);
	assert_string_equal(out, "  note: the capture saw 0\n      packets: nothing was sent\n");
	free(out);
	/* a table's row goes on under its last column */
	out = wrapped("tcp-hello            tcp   The tutorial's exchange over TCP: greeting, three names\n",
		      60, 4096);
	assert_string_equal(out, "tcp-hello            tcp   The tutorial's exchange over TCP:\n"
				 "                           greeting, three names\n");
	free(out);
}

static void test_pieces_and_long_words(void **state)
{
	const char *text = "  [2/4] client: hello-tcp-client --host 127.0.0.1 --port 23456 --events "
			   "/tmp/a/very/long/path/that/is/longer/than/one/line/of/the/terminal/events-client.jsonl"
			   " ... exit 0 (11 ms)\n";
	char *one = wrapped(text, 40, 4096), *bits = wrapped(text, 40, 7);

	(void)state;
	assert_fits(one, 40);
	assert_fits(bits, 40);
	/* nothing lost but the spaces where lines broke */
	for (char *s = one, *t = (char *)text; *t; t++) {
		if (*t == ' ' || *t == '\n')
			continue;
		while (*s == ' ' || *s == '\n')
			s++;
		assert_int_equal(*s, *t);
		s++;
	}
	free(one);
	free(bits);
}

static void test_utf8_counts_characters(void **state)
{
	/* 80 box-drawing characters are 80 columns: a ladder line is not broken */
	char line[400] = "";
	char *out;

	(void)state;
	for (int i = 0; i < 80; i++)
		strcat(line, "═");
	strcat(line, "\n");
	out = wrapped(line, 80, 4096);
	assert_string_equal(out, line);
	free(out);
}

static void test_cut(void **state)
{
	char buf[64];

	(void)state;
	lab_wrap_cut("steps.client.exit == 0", 30, buf, sizeof buf);
	assert_string_equal(buf, "steps.client.exit == 0");
	lab_wrap_cut("steps.client.exit == 0", 10, buf, sizeof buf);
	assert_string_equal(buf, "steps.c...");
	lab_wrap_cut("══════════", 5, buf, sizeof buf);
	assert_string_equal(buf, "══...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_lines_unchanged),
		cmocka_unit_test(test_breaks_at_spaces_with_a_hanging_indent),
		cmocka_unit_test(test_pieces_and_long_words),
		cmocka_unit_test(test_utf8_counts_characters),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests_name("lab_wrap", tests, NULL, NULL);
}
