// The stable names of the model's enums: every name reads back as the value it came
// from, and a failure string this build does not know survives a round trip verbatim.
#include <gtest/gtest.h>

#include <sstream>

#include "model/analysis.hpp"
#include "model/failure.hpp"
#include "model/residual.hpp"
#include "model/sink.hpp"
#include "model/trial.hpp"
#include "model/verdict.hpp"

namespace sniprobe {
namespace {

template <class Enum>
void expect_round_trip(std::initializer_list<Enum> values) {
    for (Enum v : values) {
        const std::string_view name = to_name(v);
        auto back = from_name<Enum>(name);
        ASSERT_TRUE(back.has_value()) << name;
        EXPECT_EQ(*back, v) << name;
    }
}

TEST(Names, EveryValueRoundTrips) {
    expect_round_trip({Cause::ok, Cause::sni_reset, Cause::sni_drop, Cause::sni_close,
                       Cause::http_host_block, Cause::tcp_unreachable, Cause::server_reset,
                       Cause::tls_alert, Cause::certificate, Cause::path_mtu, Cause::dns,
                       Cause::inconclusive});
    expect_round_trip({RstOrigin::injected, RstOrigin::server, RstOrigin::unknown});
    expect_round_trip({RstSignatureId::gfw_type_1, RstSignatureId::gfw_type_2,
                       RstSignatureId::gfw_type_3, RstSignatureId::gfw_legacy,
                       RstSignatureId::henan, RstSignatureId::icp_filing, RstSignatureId::airtel,
                       RstSignatureId::server_stack, RstSignatureId::unknown});
    expect_round_trip({IpIdPattern::none, IpIdPattern::zero, IpIdPattern::fixed,
                       IpIdPattern::copied, IpIdPattern::server_sequence, IpIdPattern::random});
    expect_round_trip({SeqRelation::unknown, SeqRelation::exact, SeqRelation::plus_1460,
                       SeqRelation::plus_4380, SeqRelation::in_window, SeqRelation::outside});
    expect_round_trip({SinkFinding::two_sided, SinkFinding::client_only,
                       SinkFinding::no_client_hello, SinkFinding::answer_lost,
                       SinkFinding::server_rst, SinkFinding::clean, SinkFinding::no_connection});
    expect_round_trip({ResidualStatus::no_trigger, ResidualStatus::not_blocked,
                       ResidualStatus::cleared, ResidualStatus::still_blocked,
                       ResidualStatus::interrupted});
    expect_round_trip({ResidualPhase::during, ResidualPhase::after});
    expect_round_trip({FailedOperation::none, FailedOperation::connect,
                       FailedOperation::tls_handshake, FailedOperation::http_round_trip});
}

TEST(Names, StableSpellings) {
    EXPECT_EQ(to_name(Cause::sni_reset), "sni_reset");
    EXPECT_EQ(to_name(RstSignatureId::gfw_type_2), "gfw_type_2");
    EXPECT_EQ(to_name(SeqRelation::plus_1460), "plus_1460");
    EXPECT_EQ(to_name(FailedOperation::none), "");
    EXPECT_FALSE(from_name<Cause>("SNI_RESET").has_value());
    EXPECT_FALSE(from_name<RstOrigin>("").has_value());
}

TEST(Failure, KnownStringsBecomeCodes) {
    EXPECT_TRUE(Failure::from_text("").empty());
    const Failure reset = Failure::from_text("connection_reset");
    EXPECT_EQ(reset, FailureCode::connection_reset);
    EXPECT_EQ(reset.text(), "connection_reset");
    EXPECT_EQ(Failure(FailureCode::eof_error).text(), "eof_error");
}

TEST(Failure, UnknownStringsAreKeptVerbatim) {
    const Failure odd = Failure::from_text("unknown_failure: No buffer space available");
    EXPECT_EQ(odd.code(), FailureCode::other);
    EXPECT_EQ(odd.text(), "unknown_failure: No buffer space available");
    EXPECT_FALSE(odd == Failure::from_text("unknown_failure: something else"));
    std::ostringstream out;
    out << odd;
    EXPECT_EQ(out.str(), "unknown_failure: No buffer space available");
}

}  // namespace
}  // namespace sniprobe
