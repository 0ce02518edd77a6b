// Resolves the giflib entry points the first-frame conversion uses, once, on first use (dlopen), and converts.
#include "CGif.h"
#include <dlfcn.h>
#include <gif_lib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if GIFLIB_MAJOR != 5 || GIFLIB_MINOR < 1
#error "giflib 5.1 or later (soname libgif.so.7) is required"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static __typeof__(&DGifOpen) d_open;
static __typeof__(&DGifGetRecordType) d_record;
static __typeof__(&DGifGetImageDesc) d_image_desc;
static __typeof__(&DGifGetLine) d_line;
static __typeof__(&DGifGetExtension) d_extension;
static __typeof__(&DGifGetExtensionNext) d_extension_next;
static __typeof__(&DGifExtensionToGCB) d_gcb;
static __typeof__(&DGifCloseFile) d_close;
static __typeof__(&EGifOpen) e_open;
static __typeof__(&EGifSetGifVersion) e_version;
static __typeof__(&EGifPutScreenDesc) e_screen;
static __typeof__(&EGifGCBToExtension) e_gcb;
static __typeof__(&EGifPutExtension) e_extension;
static __typeof__(&EGifPutImageDesc) e_image_desc;
static __typeof__(&EGifPutLine) e_line;
static __typeof__(&EGifCloseFile) e_close;
static __typeof__(&GifErrorString) error_string;

static void load(void) {
    void *lib = dlopen("libgif.so.7", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
#define SYM(var, name) var = (__typeof__(var))dlsym(lib, #name); if (!var) return;
    SYM(d_open, DGifOpen)
    SYM(d_record, DGifGetRecordType)
    SYM(d_image_desc, DGifGetImageDesc)
    SYM(d_line, DGifGetLine)
    SYM(d_extension, DGifGetExtension)
    SYM(d_extension_next, DGifGetExtensionNext)
    SYM(d_gcb, DGifExtensionToGCB)
    SYM(d_close, DGifCloseFile)
    SYM(e_open, EGifOpen)
    SYM(e_version, EGifSetGifVersion)
    SYM(e_screen, EGifPutScreenDesc)
    SYM(e_gcb, EGifGCBToExtension)
    SYM(e_extension, EGifPutExtension)
    SYM(e_image_desc, EGifPutImageDesc)
    SYM(e_line, EGifPutLine)
    SYM(e_close, EGifCloseFile)
    SYM(error_string, GifErrorString)
#undef SYM
    loaded = 1;
}

int pico_gif_available(void) {
    pthread_once(&once, load);
    return loaded;
}

const char *pico_gif_error_string(int code) {
    const char *s = pico_gif_available() ? error_string(code) : NULL;
    return s ? s : "unknown";
}

void pico_gif_free(unsigned char *data) { free(data); }

/// The input, read from memory.
typedef struct { const unsigned char *data; size_t length, offset; } reader;

static int read_input(GifFileType *gif, GifByteType *buffer, int wanted) {
    reader *r = gif->UserData;
    size_t n = wanted < 0 ? 0 : (size_t)wanted;
    if (n > r->length - r->offset) n = r->length - r->offset;
    memcpy(buffer, r->data + r->offset, n);
    r->offset += n;
    return (int)n;
}

/// The output, grown in memory up to a cap.
typedef struct { unsigned char *data; size_t size, capacity, cap; int over, no_memory; } writer;

static int write_output(GifFileType *gif, const GifByteType *bytes, int count) {
    writer *w = gif->UserData;
    size_t n = count < 0 ? 0 : (size_t)count;
    if (n > w->cap - w->size) { w->over = 1; return 0; }
    if (w->size + n > w->capacity) {
        size_t capacity = w->capacity ? w->capacity * 2 : 4096;
        while (capacity < w->size + n) capacity *= 2;
        if (capacity > w->cap) capacity = w->cap;
        unsigned char *grown = realloc(w->data, capacity);
        if (!grown) { w->no_memory = 1; return 0; }
        w->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->data + w->size, bytes, n);
    w->size += n;
    return count;
}

/// Skips an extension's data sub-blocks; keeps a graphics control block in `gcb`.
static int read_extension(GifFileType *in, GraphicsControlBlock *gcb, int *has_gcb) {
    int code;
    GifByteType *block;
    if (d_extension(in, &code, &block) == GIF_ERROR) return GIF_ERROR;
    if (code == GRAPHICS_EXT_FUNC_CODE && block && block[0] >= 4) {
        *has_gcb = d_gcb(block[0], block + 1, gcb) == GIF_OK;
    }
    while (block) {
        if (d_extension_next(in, &block) == GIF_ERROR) return GIF_ERROR;
    }
    return GIF_OK;
}

static int fail(int status, int gif_error, pico_gif_frame *out) {
    out->gif_error = gif_error;
    return status;
}

int pico_gif_first_frame(const unsigned char *input, size_t length, int max_side, long long max_pixels,
                         size_t max_output, pico_gif_frame *out) {
    memset(out, 0, sizeof *out);
    if (!pico_gif_available()) return PICO_GIF_UNAVAILABLE;
    reader r = { input, length, 0 };
    int error = 0;
    GifFileType *in = d_open(&r, read_input, &error);
    if (!in) return fail(error == D_GIF_ERR_NOT_ENOUGH_MEM ? PICO_GIF_NO_MEMORY : PICO_GIF_MALFORMED, error, out);

    int status = PICO_GIF_OK;
    GraphicsControlBlock gcb = { DISPOSAL_UNSPECIFIED, false, 0, NO_TRANSPARENT_COLOR };
    int has_gcb = 0;
    GifRecordType record = UNDEFINED_RECORD_TYPE;
    writer w = { NULL, 0, 0, max_output, 0, 0 };
    GifFileType *encoder = NULL;
    GifPixelType *line = NULL;

    // Up to the first image: extensions (keep its graphics control block, skip comments and loop counts).
    for (;;) {
        if (d_record(in, &record) == GIF_ERROR) { status = fail(PICO_GIF_MALFORMED, in->Error, out); goto done; }
        if (record == IMAGE_DESC_RECORD_TYPE) break;
        if (record == EXTENSION_RECORD_TYPE) {
            if (read_extension(in, &gcb, &has_gcb) == GIF_ERROR) { status = fail(PICO_GIF_MALFORMED, in->Error, out); goto done; }
            continue;
        }
        status = fail(PICO_GIF_MALFORMED, D_GIF_ERR_NO_IMAG_DSCR, out);  // the trailer before any image
        goto done;
    }
    if (d_image_desc(in) == GIF_ERROR) { status = fail(PICO_GIF_MALFORMED, in->Error, out); goto done; }
    GifImageDesc frame = in->Image;
    if (frame.Left < 0 || frame.Top < 0 || frame.Width <= 0 || frame.Height <= 0) {
        status = fail(PICO_GIF_MALFORMED, D_GIF_ERR_IMAGE_DEFECT, out);
        goto done;
    }
    // The canvas holds the frame (browsers grow a canvas that is too small, so does this).
    long long width = in->SWidth > frame.Left + frame.Width ? in->SWidth : (long long)frame.Left + frame.Width;
    long long height = in->SHeight > frame.Top + frame.Height ? in->SHeight : (long long)frame.Top + frame.Height;
    out->width = width > 0x7fffffff ? 0x7fffffff : (int)width;
    out->height = height > 0x7fffffff ? 0x7fffffff : (int)height;
    if (width > max_side || height > max_side || width * height > max_pixels) { status = PICO_GIF_TOO_MANY_PIXELS; goto done; }
    const ColorMapObject *colors = frame.ColorMap ? frame.ColorMap : in->SColorMap;
    if (!colors) { status = fail(PICO_GIF_MALFORMED, D_GIF_ERR_NO_COLOR_MAP, out); goto done; }

    encoder = e_open(&w, write_output, &error);
    if (!encoder) { status = PICO_GIF_NO_MEMORY; goto done; }
    e_version(encoder, true);
    if (e_screen(encoder, (int)width, (int)height, in->SColorResolution, in->SBackGroundColor, in->SColorMap) == GIF_ERROR)
        goto encode_failed;
    if (has_gcb && gcb.TransparentColor != NO_TRANSPARENT_COLOR) {
        // Only the transparency matters for a still picture: no delay, no disposal, no user input.
        GraphicsControlBlock still = { DISPOSAL_UNSPECIFIED, false, 0, gcb.TransparentColor };
        GifByteType extension[4];
        size_t n = e_gcb(&still, extension);
        if (e_extension(encoder, GRAPHICS_EXT_FUNC_CODE, (int)n, extension) == GIF_ERROR) goto encode_failed;
    }
    if (e_image_desc(encoder, frame.Left, frame.Top, frame.Width, frame.Height, frame.Interlace, frame.ColorMap) == GIF_ERROR)
        goto encode_failed;
    line = malloc((size_t)frame.Width);
    if (!line) { status = PICO_GIF_NO_MEMORY; goto done; }
    // Line by line, in the order stored (an interlaced frame stays interlaced): one line in memory.
    for (int y = 0; y < frame.Height; y++) {
        if (d_line(in, line, frame.Width) == GIF_ERROR) { status = fail(PICO_GIF_MALFORMED, in->Error, out); goto done; }
        if (e_line(encoder, line, frame.Width) == GIF_ERROR) goto encode_failed;
    }
    // Is there another frame? Extensions may come first; a damaged tail after a whole frame does not matter.
    for (;;) {
        if (d_record(in, &record) == GIF_ERROR) break;
        if (record == IMAGE_DESC_RECORD_TYPE) { out->animated = 1; break; }
        if (record != EXTENSION_RECORD_TYPE) break;
        GraphicsControlBlock ignored;
        int ignored_flag = 0;
        if (read_extension(in, &ignored, &ignored_flag) == GIF_ERROR) break;
    }
    int close_error = 0;
    int closed = e_close(encoder, &close_error);
    encoder = NULL;
    if (closed == GIF_ERROR) goto encode_failed;
    out->data = w.data;
    out->size = w.size;
    w.data = NULL;
    goto done;

encode_failed:
    status = w.over ? PICO_GIF_OUTPUT_TOO_LARGE : w.no_memory ? PICO_GIF_NO_MEMORY : PICO_GIF_MALFORMED;
    if (status == PICO_GIF_MALFORMED) out->gif_error = encoder ? encoder->Error : E_GIF_ERR_WRITE_FAILED;
done:
    if (encoder) { int e = 0; e_close(encoder, &e); }
    free(line);
    free(w.data);
    d_close(in, &error);
    return status;
}
