// giflib (Debian `libgif7`), loaded on first use with dlopen("libgif.so.7"): the gateway maps it only when a GIF
// arrives. One job: the first frame of a GIF, re-encoded as a GIF of that frame alone (what the models accept),
// decoded and encoded line by line (never the whole animation in memory), with size caps checked before any pixel.
#ifndef PICO_CGIF_H
#define PICO_CGIF_H

#include <stddef.h>

/// Outcomes of pico_gif_first_frame.
enum {
    PICO_GIF_OK = 0,
    /// libgif.so.7 could not be loaded.
    PICO_GIF_UNAVAILABLE = 1,
    /// Not a GIF giflib can read (damaged, truncated, no colour table, no image); `gif_error` has giflib's code.
    PICO_GIF_MALFORMED = 2,
    /// The picture is larger than the caps (`width`/`height` say how large).
    PICO_GIF_TOO_MANY_PIXELS = 3,
    /// The re-encoded frame would be larger than `max_output` bytes.
    PICO_GIF_OUTPUT_TOO_LARGE = 4,
    /// Out of memory.
    PICO_GIF_NO_MEMORY = 5,
};

/// What pico_gif_first_frame made.
typedef struct {
    /// The single-frame GIF (malloc'd; free with pico_gif_free), NULL on failure.
    unsigned char *data;
    size_t size;
    /// The picture's size (also set for PICO_GIF_TOO_MANY_PIXELS).
    int width;
    int height;
    /// 1 when the input has another frame after the first.
    int animated;
    /// giflib's error code for PICO_GIF_MALFORMED (0 otherwise).
    int gif_error;
} pico_gif_frame;

/// Loads giflib once (thread-safe). Returns 1 when it is available, 0 otherwise.
int pico_gif_available(void);

/// The first frame of the GIF in `input`, as a GIF of its own (same canvas, palette, position and transparency;
/// no delay, no loop). Refuses before decoding pixels when a side exceeds `max_side` or the canvas exceeds
/// `max_pixels`, and stops when the output would pass `max_output` bytes. Blocking (CPU): call off the async pool.
int pico_gif_first_frame(const unsigned char *input, size_t length, int max_side, long long max_pixels,
                         size_t max_output, pico_gif_frame *out);

/// giflib's description of an error code (a static string; "unknown" when giflib is unavailable).
const char *pico_gif_error_string(int code);

/// Frees pico_gif_frame.data.
void pico_gif_free(unsigned char *data);

#endif
