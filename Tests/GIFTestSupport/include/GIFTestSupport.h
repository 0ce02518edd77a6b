// Test helper: makes and inspects GIFs with giflib itself (linked directly; test builds only), so tests check
// what the gateway produced with an independent decoder instead of trusting its own code.
#ifndef PICO_GIF_TEST_SUPPORT_H
#define PICO_GIF_TEST_SUPPORT_H

#include <stddef.h>

/// Encodes a `frames`-frame animation of `width`×`height` over a 4-colour palette (0 red, 1 blue, 2 green,
/// 3 white): frame 0 has pixel (x, y) = (x + y) % 2 (a red/blue checkerboard), every later frame k is filled with
/// colour 2 (green), each with a 10 ms delay, looping forever; `interlaced` stores frame 0 interlaced.
/// `transparent` >= 0 marks that palette index transparent in frame 0. Returns malloc'd bytes (free()) or NULL.
unsigned char *gif_test_make(int width, int height, int frames, int interlaced, int transparent, size_t *size);

/// What giflib reads from a GIF (the whole file, all frames).
typedef struct {
    int ok;
    int width, height;
    int frames;
    /// Frame 0's pixel colours as 0xRRGGBB at (0,0), (1,0) and (0,1), and its transparent index (-1: none).
    int first_pixel, second_pixel, below_pixel;
    int transparent;
    /// Frame 0 of the input, width×height (the frame's own size).
    int frame_width, frame_height;
} gif_test_info;

gif_test_info gif_test_inspect(const unsigned char *data, size_t size);

#endif
