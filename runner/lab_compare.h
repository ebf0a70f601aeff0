/* runner/lab_compare.h: `hello-lab compare`: two runs (a TCP run and a UDP run) side by side. */
#ifndef LAB_COMPARE_H
#define LAB_COMPARE_H

#include <stdio.h>

/* Prints the table for two run folders (core/measure: the figures and labels the HTML page
 * shows too, plus the packets the labs' rules dropped, from result.json), and with html (may
 * be NULL) asks hello-trace render for the side-by-side page under the same names; returns
 * the exit code. */
int lab_compare_main(const char *tcp_dir, const char *udp_dir, const char *html, const char *bindir,
		     FILE *out, FILE *err);

#endif
