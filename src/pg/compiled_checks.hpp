// The CHECK constraints of the direct path's tables, compiled once per backend.
//
// ExecConstraints compiles a relation's CHECK constraints on first use into the statement's
// EState (stringToNode, expression_planner, ExecInitExpr) and the direct path's EState lives one
// transaction, so every transaction paid for it again: about a twentieth of a hot-SKU sale's
// CPU. Here they are compiled into a backend-lifetime memory context and handed to each new
// ResultRelInfo as ri_ConstraintExprs, which ExecConstraints then uses as its own.
//
// Kept only while they are what the relation has now: each use compares the relation's
// constraint expressions (their stored node text, which names every operator, column and type)
// with the ones compiled, and compiles again when they differ. Constraints that call a function
// outside the built-in ones are left to ExecConstraints, per statement as before: such a
// function may keep state per call site that should not outlive a transaction.
#pragma once

#include "pg/postgres_headers.hpp"

namespace inventory::pg::direct {

// The compiled CHECK constraints of `relation` (one ExprState per constr->check entry), or
// nullptr to let ExecConstraints compile them itself. C only: may ereport; call it under
// pg_guard, with `relation` open and locked.
ExprState** compiled_checks(Relation relation);

}  // namespace inventory::pg::direct
