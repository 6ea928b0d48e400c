#include "pg/compiled_checks.hpp"

#include <cstddef>
#include <cstring>

extern "C" {
#include "access/transam.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
}

namespace inventory::pg::direct {
namespace {

struct Compiled {
    Oid relation = InvalidOid;
    MemoryContext context = nullptr;  // holds texts and states; a child of CacheMemoryContext
    int count = 0;
    char** texts = nullptr;  // the ccbin each state was compiled from
    ExprState** states = nullptr;
};

constexpr std::size_t kSlots = 8;  // one per table of the direct path (TableId)
Compiled compiled[kSlots];

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

bool still_current(const Compiled& entry, const TupleConstr* constraints) {
    if (entry.count != constraints->num_check) return false;
    for (int i = 0; i < entry.count; ++i) {
        if (std::strcmp(entry.texts[i], constraints->check[i].ccbin) != 0) return false;
    }
    return true;
}

// Compiles into a new context under the transaction's, moved under CacheMemoryContext only once
// complete, so that an error half-way leaves nothing behind. The texts are kept also when a
// constraint cannot be cached (states stays nullptr), so that the check is not redone.
void compile(Compiled& entry, Relation relation, const TupleConstr* constraints) {
    MemoryContext context = AllocSetContextCreate(
        CurTransactionContext, "inventory compiled checks", ALLOCSET_SMALL_SIZES);
    MemoryContext old = MemoryContextSwitchTo(context);
    const int count = constraints->num_check;
    char** texts = static_cast<char**>(palloc(sizeof(char*) * count));
    ExprState** states = static_cast<ExprState**>(palloc(sizeof(ExprState*) * count));
    for (int i = 0; i < count; ++i) texts[i] = pstrdup(constraints->check[i].ccbin);
    for (int i = 0; i < count && states != nullptr; ++i) {
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
    entry = Compiled{RelationGetRelid(relation), context, count, texts, states};
}

}  // namespace

ExprState** compiled_checks(std::size_t table, Relation relation) {
    const TupleConstr* constraints = relation->rd_att->constr;
    if (table >= kSlots || constraints == nullptr || constraints->num_check == 0) return nullptr;
    Compiled& entry = compiled[table];
    if (entry.relation == RelationGetRelid(relation) && still_current(entry, constraints))
        return entry.states;
    // No ResultRelInfo of this table is open (the caller is opening the first one of its
    // transaction), so no one uses the states compiled before; a table made again (DROP and
    // CREATE EXTENSION) takes the slot of the old one.
    if (entry.context != nullptr) MemoryContextDelete(entry.context);
    entry = Compiled{};
    compile(entry, relation, constraints);
    return entry.states;
}

}  // namespace inventory::pg::direct
