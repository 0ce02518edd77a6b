#include "GIFTestSupport.h"
#include <gif_lib.h>
#include <stdlib.h>
#include <string.h>

typedef struct { unsigned char *data; size_t size, capacity; } buffer;

static int put(GifFileType *gif, const GifByteType *bytes, int n) {
    buffer *b = gif->UserData;
    if (b->size + (size_t)n > b->capacity) {
        size_t c = b->capacity ? b->capacity * 2 : 1024;
        while (c < b->size + (size_t)n) c *= 2;
        unsigned char *d = realloc(b->data, c);
        if (!d) return 0;
        b->data = d;
        b->capacity = c;
    }
    memcpy(b->data + b->size, bytes, (size_t)n);
    b->size += (size_t)n;
    return n;
}

unsigned char *gif_test_make(int width, int height, int frames, int interlaced, int transparent, size_t *size) {
    GifColorType palette[4] = {{255, 0, 0}, {0, 0, 255}, {0, 255, 0}, {255, 255, 255}};
    ColorMapObject *map = GifMakeMapObject(4, palette);
    buffer b = {0};
    int error = 0;
    GifFileType *gif = EGifOpen(&b, put, &error);
    if (!gif || !map) return NULL;
    EGifSetGifVersion(gif, true);
    EGifPutScreenDesc(gif, width, height, 2, 0, map);
    unsigned char loop[3] = {1, 0, 0};
    EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE);
    EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0");
    EGifPutExtensionBlock(gif, 3, loop);
    EGifPutExtensionTrailer(gif);
    GifPixelType *line = malloc((size_t)width);
    static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
    for (int f = 0; f < frames; f++) {
        GraphicsControlBlock gcb = {DISPOSAL_UNSPECIFIED, false, 1, f == 0 ? transparent : NO_TRANSPARENT_COLOR};
        GifByteType ext[4];
        EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, (int)EGifGCBToExtension(&gcb, ext), ext);
        int inter = f == 0 && interlaced;
        EGifPutImageDesc(gif, 0, 0, width, height, inter, NULL);
        for (int pass = 0; pass < (inter ? 4 : 1); pass++) {
            for (int y = inter ? start[pass] : 0; y < height; y += inter ? step[pass] : 1) {
                for (int x = 0; x < width; x++) line[x] = f == 0 ? (GifPixelType)((x + y) % 2) : 2;
                EGifPutLine(gif, line, width);
            }
        }
    }
    free(line);
    GifFreeMapObject(map);
    if (EGifCloseFile(gif, &error) == GIF_ERROR) { free(b.data); return NULL; }
    *size = b.size;
    return b.data;
}

typedef struct { const unsigned char *data; size_t size, offset; } source;

static int get(GifFileType *gif, GifByteType *bytes, int n) {
    source *s = gif->UserData;
    size_t k = (size_t)n;
    if (k > s->size - s->offset) k = s->size - s->offset;
    memcpy(bytes, s->data + s->offset, k);
    s->offset += k;
    return (int)k;
}

gif_test_info gif_test_inspect(const unsigned char *data, size_t size) {
    gif_test_info info = {0};
    info.transparent = -1;
    source s = {data, size, 0};
    int error = 0;
    GifFileType *gif = DGifOpen(&s, get, &error);
    if (!gif) return info;
    if (DGifSlurp(gif) == GIF_OK && gif->ImageCount > 0) {
        SavedImage *frame = &gif->SavedImages[0];
        ColorMapObject *map = frame->ImageDesc.ColorMap ? frame->ImageDesc.ColorMap : gif->SColorMap;
        info.ok = map != NULL;
        info.width = gif->SWidth;
        info.height = gif->SHeight;
        info.frames = gif->ImageCount;
        info.frame_width = frame->ImageDesc.Width;
        info.frame_height = frame->ImageDesc.Height;
        GraphicsControlBlock gcb;
        if (DGifSavedExtensionToGCB(gif, 0, &gcb) == GIF_OK) info.transparent = gcb.TransparentColor;
        for (int i = 0; map && i < 2 && i < frame->ImageDesc.Width; i++) {
            GifColorType c = map->Colors[frame->RasterBits[i] % map->ColorCount];
            int rgb = c.Red << 16 | c.Green << 8 | c.Blue;
            if (i == 0) info.first_pixel = rgb; else info.second_pixel = rgb;
        }
        if (map && frame->ImageDesc.Height > 1) {
            GifColorType c = map->Colors[frame->RasterBits[frame->ImageDesc.Width] % map->ColorCount];
            info.below_pixel = c.Red << 16 | c.Green << 8 | c.Blue;
        }
    }
    DGifCloseFile(gif, &error);
    return info;
}
