#include "pg/compiled_checks.hpp"

#include <cstring>

extern "C" {
#include "access/transam.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
}

namespace inventory::pg::direct {
namespace {

bool is_user_function(Oid function, void*) {
    return function >= FirstNormalObjectId;
}

// What a compiled expression must not keep from one transaction to the next: a user function
// (it may keep state per call site), a whole-row Var or a row type conversion (ExecInterpExpr
// keeps their tuple descriptors and maps in the statement's memory), GREATEST/LEAST (their
// comparison function is looked up at run time, so check_functions_in_node does not see it), a
// domain (its constraints are copied in at compile time and would go stale on ALTER DOMAIN) and
// a ROW() of a named composite type (its descriptor is copied in too, and ALTER TYPE does not
// change the constraint's text).
bool not_cacheable(Node* node, void* context) {
    if (node == nullptr) return false;
    if (IsA(node, Var) && reinterpret_cast<Var*>(node)->varattno == InvalidAttrNumber) return true;
    if (IsA(node, ConvertRowtypeExpr) || IsA(node, MinMaxExpr) || IsA(node, CoerceToDomain) ||
        IsA(node, NextValueExpr)) {
        return true;
    }
    if (IsA(node, RowExpr) && reinterpret_cast<RowExpr*>(node)->row_typeid != RECORDOID)
        return true;
    if (check_functions_in_node(node, is_user_function, context)) return true;
    // PostgreSQL 15 declares the walker as bool (*)(); void (*)() carries it there unwarned.
    using Walker = bool (*)();
    return expression_tree_walker(
        node, reinterpret_cast<Walker>(reinterpret_cast<void (*)()>(not_cacheable)), context);
}

}  // namespace

bool CompiledChecks::current_for(Relation relation) const {
    const TupleConstr* constraints = relation->rd_att->constr;
    if (relation_ != RelationGetRelid(relation) || count_ != constraints->num_check) return false;
    for (int i = 0; i < count_; ++i) {
        if (std::strcmp(texts_[i], constraints->check[i].ccbin) != 0) return false;
    }
    return true;
}

// Compiles into a new context under the transaction's, moved under CacheMemoryContext only once
// complete, so that an error half-way leaves nothing behind. The texts are kept also when a
// constraint cannot be cached (states_ stays nullptr), so that the check is not redone.
void CompiledChecks::compile(Relation relation) {
    const TupleConstr* constraints = relation->rd_att->constr;
    MemoryContext context = AllocSetContextCreate(
        CurTransactionContext, "inventory compiled checks", ALLOCSET_SMALL_SIZES);
    MemoryContext old = MemoryContextSwitchTo(context);
    const int count = constraints->num_check;
    char** texts = static_cast<char**>(palloc(sizeof(char*) * count));
    ExprState** states = static_cast<ExprState**>(palloc(sizeof(ExprState*) * count));
    for (int i = 0; i < count; ++i) texts[i] = pstrdup(constraints->check[i].ccbin);
    for (int i = 0; i < count; ++i) {
        Node* expression = static_cast<Node*>(stringToNode(texts[i]));
        // ExecPrepareExpr without an EState: planned and compiled here, evaluated per row. Both
        // forms are looked at: planning inlines SQL functions and folds constants.
        Expr* planned = nullptr;
        if (!not_cacheable(expression, nullptr))
            planned = expression_planner(reinterpret_cast<Expr*>(expression));
        if (planned == nullptr || not_cacheable(reinterpret_cast<Node*>(planned), nullptr)) {
            states = nullptr;
            break;
        }
        states[i] = ExecInitExpr(planned, nullptr);
    }
    MemoryContextSwitchTo(old);
    MemoryContextSetParent(context, CacheMemoryContext);
    relation_ = RelationGetRelid(relation);
    context_ = context;
    count_ = count;
    texts_ = texts;
    states_ = states;
}

ExprState** CompiledChecks::for_relation(Relation relation) {
    const TupleConstr* constraints = relation->rd_att->constr;
    if (constraints == nullptr || constraints->num_check == 0) return nullptr;
    if (current_for(relation)) return states_;
    // No ResultRelInfo of this table is open (the caller is opening the first one of its
    // transaction), so no one uses the states compiled before; a table made again (DROP and
    // CREATE EXTENSION) replaces the old one's.
    if (context_ != nullptr) MemoryContextDelete(context_);
    *this = CompiledChecks{};
    compile(relation);
    return states_;
}

}  // namespace inventory::pg::direct
