#include "cpicopolicy.h"
int pico_policy_placeholder(void) { return 0; }
