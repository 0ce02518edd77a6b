// Resolves the three libxml2 entry points web_fetch uses, once, on first use.
#include "CLibXML2.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

typedef void *(*read_memory_fn)(const char *, int, const char *, const char *, int);
typedef pico_xml_node *(*root_fn)(void *);
typedef void (*free_doc_fn)(void *);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static read_memory_fn read_memory;
static root_fn root_element;
static free_doc_fn free_doc;

static void load(void) {
    void *lib = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    read_memory_fn r = (read_memory_fn)dlsym(lib, "htmlReadMemory");
    root_fn g = (root_fn)dlsym(lib, "xmlDocGetRootElement");
    free_doc_fn f = (free_doc_fn)dlsym(lib, "xmlFreeDoc");
    if (r && g && f) {
        read_memory = r;
        root_element = g;
        free_doc = f;
    }
}

int pico_xml_available(void) {
    pthread_once(&once, load);
    return read_memory != NULL;
}

void *pico_html_read_memory(const char *buffer, int size, const char *encoding, int options) {
    if (!pico_xml_available()) return NULL;
    return read_memory(buffer, size, NULL, encoding, options);
}

pico_xml_node *pico_xml_root(void *doc) {
    return doc && pico_xml_available() ? root_element(doc) : NULL;
}

void pico_xml_free_doc(void *doc) {
    if (doc && pico_xml_available()) free_doc(doc);
}
