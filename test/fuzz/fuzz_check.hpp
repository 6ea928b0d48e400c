// What the fuzz targets share: an invariant that does not hold traps, so that libFuzzer keeps
// the input that broke it.
#pragma once

#include <cstdio>

namespace inventory::fuzz {

[[noreturn]] inline void Violation(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    __builtin_trap();
}

}  // namespace inventory::fuzz

#define FUZZ_CHECK(condition)                                       \
    do {                                                            \
        if (!(condition)) ::inventory::fuzz::Violation(#condition); \
    } while (false)
