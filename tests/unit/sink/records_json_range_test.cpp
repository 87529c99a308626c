// A hostile sink answer with a float where a 16-bit field belongs must be refused as an
// error, not converted (nlohmann's unchecked cast was undefined behaviour; fuzz finding).
#include <gtest/gtest.h>

#include "sink/records_json.hpp"

namespace sniprobe::sink {
namespace {

TEST(RecordsJsonRange, FloatBeyondAFieldsRangeIsAnError) {
    auto r =
        decode_records(R"({"now": 1, "connections": [{"received": [{"t": 1, "ip_id": 3.14e7}]}]})");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("ip_id"), std::string::npos) << r.error().message;
}

TEST(RecordsJsonRange, IntegerBeyondAFieldsRangeIsAnError) {
    auto r = decode_records(R"({"now": 1, "connections": [{"received": [{"t": 1, "ttl": 300}]}]})");
    ASSERT_FALSE(r);
}

TEST(RecordsJsonRange, FieldsInRangeDecode) {
    auto r = decode_records(
        R"({"now": 1, "connections": [{"received": [{"t": 1, "ttl": 53, "ip_id": 31415}]}]})");
    ASSERT_TRUE(r) << r.error().message;
}

}  // namespace
}  // namespace sniprobe::sink
