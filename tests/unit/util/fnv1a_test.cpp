// fnv1a64 against fixed values: the resume set and the log sketches depend on them never
// changing. They are FNV-1a with sniprobe's offset basis (see fnv1a.hpp), hence not the
// published test vectors.
#include "util/fnv1a.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

TEST(Fnv1a, FixedValues) {
    EXPECT_EQ(fnv1a64(""), 1469598103934665603ULL);
    EXPECT_EQ(fnv1a64("a"), 0x44bd8ad473cd9906ULL);
    EXPECT_EQ(fnv1a64("foobar"), 0x88fad7c0a8ff07f2ULL);
}

TEST(Fnv1a, EveryByteCounts) {
    EXPECT_NE(fnv1a64("example.com|443|"), fnv1a64("example.com|443|1"));
    EXPECT_NE(fnv1a64(std::string_view("a\0b", 3)), fnv1a64("ab"));
}

}  // namespace
}  // namespace sniprobe
