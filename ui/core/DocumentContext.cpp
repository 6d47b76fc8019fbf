// DocumentContext is header-only; this unit gives AUTOMOC and the static library a home.
#include "core/DocumentContext.h"
