/* view/ladder_text.h: the ladder's words: printable ASCII from what a trace holds, snprintf that cuts. */
#ifndef VIEW_LADDER_TEXT_H
#define VIEW_LADDER_TEXT_H

#include <stddef.h>

/* Copies s into dst as printable ASCII: other bytes become \xNN; cut to fit dstlen. */
void view_ladder_sanitize(char *dst, size_t dstlen, const char *s);

/* snprintf that cuts silently (labels and messages, where a cut text is fine). */
__attribute__((format(printf, 3, 4)))
void view_ladder_fmt(char *dst, size_t len, const char *f, ...);

/* Appends to the text already in dst, cutting silently. */
__attribute__((format(printf, 3, 4)))
void view_ladder_fmt_cat(char *dst, size_t len, const char *f, ...);

/* A pause this long between two rows gets a "… later" line of its own. */
#define VIEW_LADDER_PAUSE_US 100000

/* "300 ms later" or "1.2 s later": truncated, never rounded up past what it was
 * (300.9 ms is "300 ms"), so a 300 ms timeout never reads as 301. */
void view_ladder_pause(char *dst, size_t len, long long us);

#endif
