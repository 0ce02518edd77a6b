// libseccomp (Debian: libseccomp-dev), used to build the exec sandbox's system-call filter.
#include <seccomp.h>
