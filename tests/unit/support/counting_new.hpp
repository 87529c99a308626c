// Counting the allocations a piece of code makes on the calling thread, for tests that
// claim "allocates nothing". A test binary that includes this header gets
// support/counting_new.cpp linked in (tests/CMakeLists.txt), which replaces every
// non-aligned form of operator new and delete (plain, nothrow, array, sized) with a pair
// over malloc and free. Replacing all of them matters: a form left to the runtime (ASan
// brings its own) would allocate with its allocator and free with ours.
#pragma once

namespace sniprobe::test {

// Counts operator new calls made on this thread while alive; not nestable.
class AllocationCounter {
  public:
    AllocationCounter();
    ~AllocationCounter();
    AllocationCounter(const AllocationCounter&) = delete;
    AllocationCounter& operator=(const AllocationCounter&) = delete;

    // The allocations counted so far.
    long count() const;
};

}  // namespace sniprobe::test
