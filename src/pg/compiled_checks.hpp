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
// a whole-row reference, GREATEST/LEAST, a domain, a named ROW(): compiled_checks.cpp), are left
// to ExecConstraints, per statement as before.
#pragma once

#include "pg/postgres_headers.hpp"

namespace inventory::pg::direct {

// One table's compiled CHECK constraints, kept for the backend's life (the direct path holds one
// per table it writes).
class CompiledChecks {
  public:
    // The compiled CHECK constraints of `relation` (one ExprState per constr->check entry), or
    // nullptr to let ExecConstraints compile them itself. Call it only while no ResultRelInfo of
    // the table is open (it may free what it handed out before). C only: may ereport; call it
    // under pg_guard, with `relation` open and locked.
    ExprState** for_relation(Relation relation);

  private:
    bool current_for(Relation relation) const;
    void compile(Relation relation);

    Oid relation_ = InvalidOid;
    MemoryContext context_ = nullptr;  // texts_ and states_; a child of CacheMemoryContext
    int count_ = 0;
    char** texts_ = nullptr;  // the ccbin each state was compiled from
    ExprState** states_ = nullptr;
};

}  // namespace inventory::pg::direct
