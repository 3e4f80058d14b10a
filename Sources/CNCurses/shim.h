// ncursesw with the wide-character API. Function-like macros do not import into Swift,
// so the ones qlx needs are wrapped in static inline functions below.
#ifndef QLX_CNCURSES_SHIM_H
#define QLX_CNCURSES_SHIM_H
// The defines ncursesw.pc asks for (Package.swift cannot pass them from pkg-config).
#define _DEFAULT_SOURCE 1
#define _XOPEN_SOURCE 600
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

static inline attr_t qlx_a_bold(void) { return A_BOLD; }
static inline attr_t qlx_a_reverse(void) { return A_REVERSE; }
static inline attr_t qlx_a_dim(void) { return A_DIM; }
static inline attr_t qlx_a_underline(void) { return A_UNDERLINE; }
static inline attr_t qlx_a_normal(void) { return A_NORMAL; }
static inline WINDOW *qlx_stdscr(void) { return stdscr; }
static inline int qlx_lines(void) { return LINES; }
static inline int qlx_cols(void) { return COLS; }
static inline int qlx_colors(void) { return COLORS; }
static inline int qlx_color_pairs(void) { return COLOR_PAIRS; }
static inline int qlx_key_f(int n) { return KEY_F(n); }
static inline WINDOW *qlx_curscr(void) { return curscr; }
static inline FILE *qlx_stdout_file(void) { return stdout; }
static inline FILE *qlx_stdin_file(void) { return stdin; }
/* The cchar_t's colour pair through the opts pointer (pairs above 255 do not fit the
   short argument of setcchar). */
static inline int qlx_setcchar(cchar_t *cell, const wchar_t *text, attr_t attrs, int pair) {
    return setcchar(cell, text, attrs, 0, &pair);
}
/* Whether terminfo has an entry `name`: 1 with the RGB (direct colour) capability, 0
   without, -1 no entry. Probes with setupterm and leaves the current terminal as it was. */
static inline int qlx_terminfo_rgb(const char *name) {
    TERMINAL *saved = cur_term;
    int error = 0;
    if (setupterm(name, 1, &error) != OK) { set_curterm(saved); return -1; }
    int rgb = tigetflag("RGB") > 0;
    del_curterm(cur_term);
    set_curterm(saved);
    return rgb;
}

/* Mouse masks (function-like macros in curses.h). */
static inline mmask_t qlx_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t qlx_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t qlx_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t qlx_button5_pressed(void) { return BUTTON5_PRESSED; }
#endif
