// libxml2's HTML parser, loaded on first use with dlopen("libxml2.so.2"): the gateway does not link libxml2 (and
// through it ICU) at start-up, only when web_fetch first converts an HTML page.
// The structs below are libxml2's public xmlNode / xmlAttr layouts (stable ABI since libxml2 2.x), under our names.
#ifndef PICO_CLIBXML2_H
#define PICO_CLIBXML2_H

typedef struct pico_xml_node pico_xml_node;
typedef struct pico_xml_attr pico_xml_attr;

struct pico_xml_node {
    void *private_data;
    int type;                      /* xmlElementType */
    const unsigned char *name;
    pico_xml_node *children;
    pico_xml_node *last;
    pico_xml_node *parent;
    pico_xml_node *next;
    pico_xml_node *prev;
    void *doc;
    void *ns;
    unsigned char *content;
    pico_xml_attr *properties;
    void *nsDef;
    void *psvi;
    unsigned short line;
    unsigned short extra;
};

struct pico_xml_attr {
    void *private_data;
    int type;
    const unsigned char *name;
    pico_xml_node *children;
    pico_xml_node *last;
    pico_xml_node *parent;
    pico_xml_attr *next;
    pico_xml_attr *prev;
    void *doc;
    void *ns;
    int atype;
    void *psvi;
};

enum {
    PICO_XML_ELEMENT_NODE = 1,
    PICO_XML_TEXT_NODE = 3,
    PICO_XML_CDATA_SECTION_NODE = 4,
};

enum {
    PICO_HTML_PARSE_RECOVER = 1 << 0,
    PICO_HTML_PARSE_NOERROR = 1 << 5,
    PICO_HTML_PARSE_NOWARNING = 1 << 6,
    PICO_HTML_PARSE_NONET = 1 << 11,
    PICO_HTML_PARSE_COMPACT = 1 << 16,
};

/// Loads libxml2 once (thread-safe). Returns 1 when the parser is available, 0 otherwise.
int pico_xml_available(void);
/// htmlReadMemory; NULL when libxml2 is unavailable or the input cannot be parsed. Free with pico_xml_free_doc.
void *pico_html_read_memory(const char *buffer, int size, const char *encoding, int options);
/// xmlDocGetRootElement.
pico_xml_node *pico_xml_root(void *doc);
/// xmlFreeDoc.
void pico_xml_free_doc(void *doc);

#endif
