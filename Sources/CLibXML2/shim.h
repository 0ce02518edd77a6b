// libxml2's HTML parser, for turning fetched web pages into readable text (PicoAgent's web_fetch).
#ifndef PICO_CLIBXML2_SHIM_H
#define PICO_CLIBXML2_SHIM_H
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/parser.h>
#endif
