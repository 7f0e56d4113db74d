/* kinds.h - every worker kind of workers/kinds.list, declared; a kind's file
 * includes this to get the runtime and its own declaration. */
#ifndef NBPY_WORKER_KINDS_H
#define NBPY_WORKER_KINDS_H

#include "workers/runtime.h"

#define KIND(spec) extern const struct nbpy_kind_spec spec;
#include "workers/kinds.list"
#undef KIND

/* `nbpy-worker --kinds-c`: the table as C data without the callbacks, for
 * programs that validate configs without linking worker code. */
int kinds_print_c(FILE *f);

#endif
