/* typeql.h - the TypeDB mapping of nbpy messages: each schema's SQL table
 * (sql_table.h, from common/schemas.def) as a TypeDB entity type of the same
 * name, its columns as attributes, and a message's rows as TypeQL `put`
 * stages.  sink.typedb sends what this writes. */
#ifndef NBPY_SINK_TYPEQL_H
#define NBPY_SINK_TYPEQL_H

#include <stddef.h>

#include "common/buf.h"
#include "common/wire.h"
#include "workers/sink/sql_table.h"

/* Append the `define` query of t's attributes and entity type to q. */
void typeql_define(struct nbpy_buf *q, const struct sql_table *t);

/* Append one `put $rN isa ENTITY, has ATTR VALUE, ...;` stage per row of m
 * to q, N counting from first; returns the number of rows. */
size_t typeql_put(struct nbpy_buf *q, const struct sql_table *t, const struct nbpy_msg *m, size_t first);

#endif
