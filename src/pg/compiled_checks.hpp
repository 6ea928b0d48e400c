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
// with the ones compiled, and compiles again when they differ. Constraints whose compiled form
// could keep something of one transaction, or miss a change outside the table (a user function,
// a whole-row reference, GREATEST/LEAST, a domain, a named ROW(): compiled_checks.cpp), are left to
// ExecConstraints, per statement as before.
#pragma once

#include <cstddef>

#include "pg/postgres_headers.hpp"

namespace inventory::pg::direct {

// The compiled CHECK constraints of `relation`, the direct path's table number `table` (one
// ExprState per constr->check entry), or nullptr to let ExecConstraints compile them itself.
// C only: may ereport; call it under pg_guard, with `relation` open and locked.
ExprState** compiled_checks(std::size_t table, Relation relation);

}  // namespace inventory::pg::direct
