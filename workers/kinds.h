/* kinds.h - every worker kind nbpy-worker can run, for the one table in
 * nbpy-worker.c.  Each kind's configuration keys live in
 * common/config_kinds.c so nbpyd validates them without this code. */
#ifndef NBPY_WORKER_KINDS_H
#define NBPY_WORKER_KINDS_H

#include "workers/runtime.h"

extern const struct kind_ops kraken_ticker_kind;
extern const struct kind_ops kraken_depth_kind;
extern const struct kind_ops kraken_trades_kind;
extern const struct kind_ops synth_eurusd_kind;
extern const struct kind_ops synth_eurusd_depth_kind;
extern const struct kind_ops sink_file_kind;
extern const struct kind_ops replay_kind;
extern const struct kind_ops sink_sqlite_kind;
extern const struct kind_ops sink_pgsql_kind;
extern const struct kind_ops sink_influxdb_kind;
extern const struct kind_ops sink_kapacitor_kind;
extern const struct kind_ops sink_typedb_kind;

#endif
