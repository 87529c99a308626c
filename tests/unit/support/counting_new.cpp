#include "support/counting_new.hpp"

#include <cstdlib>
#include <new>

// The replacement operator new takes its memory from malloc, so its operator delete frees
// with free; GCC 12 at -O2 sees `free` on memory from `new` once inlined and warns of a
// mismatch that the replacement pair rules out.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
thread_local bool t_counting = false;
thread_local long t_allocations = 0;

void* counted_malloc(std::size_t n) noexcept {
    if (t_counting) ++t_allocations;
    return std::malloc(n ? n : 1);
}
}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return counted_malloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return counted_malloc(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace sniprobe::test {

AllocationCounter::AllocationCounter() {
    t_allocations = 0;
    t_counting = true;
}

AllocationCounter::~AllocationCounter() {
    t_counting = false;
}

long AllocationCounter::count() const {
    return t_allocations;
}

}  // namespace sniprobe::test
