#include "pg/compiled_checks.hpp"

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

constexpr int kSlots = 8;  // the direct path writes four tables
Compiled compiled[kSlots];

bool is_user_function(Oid function, void*) {
    return function >= FirstNormalObjectId;
}

bool calls_user_function(Node* node, void* context) {
    if (node == nullptr) return false;
    if (check_functions_in_node(node, is_user_function, context)) return true;
    // PostgreSQL 15 declares the walker as bool (*)(); void (*)() carries it there unwarned.
    using Walker = bool (*)();
    return expression_tree_walker(
        node, reinterpret_cast<Walker>(reinterpret_cast<void (*)()>(calls_user_function)), context);
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
// constraint calls a user function (states stays nullptr), so that the check is not redone.
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
        if (calls_user_function(expression, nullptr)) {
            states = nullptr;
            break;
        }
        // ExecPrepareExpr without an EState: planned and compiled here, evaluated per row.
        states[i] = ExecInitExpr(expression_planner(reinterpret_cast<Expr*>(expression)), nullptr);
    }
    MemoryContextSwitchTo(old);
    MemoryContextSetParent(context, CacheMemoryContext);
    entry = Compiled{RelationGetRelid(relation), context, count, texts, states};
}

}  // namespace

ExprState** compiled_checks(Relation relation) {
    const TupleConstr* constraints = relation->rd_att->constr;
    if (constraints == nullptr || constraints->num_check == 0) return nullptr;
    const Oid oid = RelationGetRelid(relation);
    Compiled* entry = nullptr;
    for (Compiled& slot : compiled) {
        if (slot.relation == oid || (entry == nullptr && slot.relation == InvalidOid))
            entry = &slot;
        if (slot.relation == oid) break;
    }
    if (entry == nullptr) return nullptr;
    if (entry->relation == oid && still_current(*entry, constraints)) return entry->states;
    // No ResultRelInfo of this relation is open (the caller is opening the first one of its
    // transaction), so no one uses the states compiled before.
    if (entry->context != nullptr) MemoryContextDelete(entry->context);
    *entry = Compiled{};
    compile(*entry, relation, constraints);
    return entry->states;
}

}  // namespace inventory::pg::direct
