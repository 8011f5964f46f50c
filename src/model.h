/*
 * model.h - the data model in one include, for the files that use all of
 * it: snapshots (snapshot.h), the arena they live in (arena.h) and the
 * status rules (biller_status.h).  New code includes what it uses.
 */
#ifndef BT_MODEL_H
#define BT_MODEL_H

#include "arena.h"
#include "biller_status.h"
#include "snapshot.h"

#endif
