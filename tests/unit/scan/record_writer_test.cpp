// The scan record writer: write_record() writes each line without building a JSON tree,
// and must produce exactly the bytes of record_json() (the tree that defines the format)
// for every kind of record: DNS failures, subcodes, several failures, numbers that
// nlohmann prints in its own way (1.0, 0.0), and strings that need escaping or are not
// valid UTF-8.
#include <gtest/gtest.h>

#include <sstream>

#include "scan/record.hpp"

namespace sniprobe::scan {
namespace {

std::string written(const ScanRecord& r) {
    std::ostringstream out;
    write_record(out, r);
    return out.str();
}

ScanRecord ok_record() {
    ScanRecord r;
    r.target.host = "n1.bench.test";
    r.target.ip = "127.0.0.1";
    r.target.ip_given = true;
    r.target.port = 443;
    r.ip = "127.0.0.1";
    r.control_sni = "example.com";
    r.tls_version = "TLSv1.3";
    VariantStats sni;
    sni.variant = Variant::sni;
    sni.trials = 3;
    sni.ok = 3;
    VariantStats no_sni = sni;
    no_sni.variant = Variant::no_sni;
    VariantStats control = sni;
    control.variant = Variant::control_sni;
    r.variants = {sni, no_sni, control};
    r.verdict.cause = Cause::ok;
    r.verdict.confidence = 0.95;
    r.verdict.summary = "TLS handshakes naming n1.bench.test work (3/3 ok).";
    r.verdict.evidence = {{"E_TARGET_OK", "text"}};
    r.t = 0.058;
    return r;
}

void expect_same(const ScanRecord& r) {
    EXPECT_EQ(written(r), record_json(r) + "\n");
}

TEST(ScanRecordWriter, PlainRecordMatchesTheTree) {
    ScanRecord r = ok_record();
    expect_same(r);
    EXPECT_NE(written(r).find("\"tls_version\":\"TLSv1.3\""), std::string::npos);
}

TEST(ScanRecordWriter, FailuresSubcodeAndNumbersMatchTheTree) {
    ScanRecord r = ok_record();
    r.variants[0].ok = 0;
    r.variants[0].failures = {{"connection_reset", 2}, {"generic_timeout_error", 1}};
    r.verdict.cause = Cause::certificate;
    r.verdict.subcode = CertProblem::expired;
    r.verdict.evidence = {{"E_A", ""}, {"E_B", ""}};
    for (double confidence : {0.0, 1.0, 0.5, 0.333333, 0.999}) {
        for (double t : {0.0, 1.0, 0.0004, 12345.6789, 1e9}) {
            r.verdict.confidence = confidence;
            r.t = t;
            expect_same(r);
        }
    }
}

TEST(ScanRecordWriter, DnsFailureWithoutAddressMatchesTheTree) {
    ScanRecord r;
    r.target.host = "gone.test";
    r.dns_failure = "dns_nxdomain_error";
    r.control_sni = "example.com";
    r.verdict.cause = Cause::dns;
    expect_same(r);
    EXPECT_NE(written(r).find("\"ip\":null"), std::string::npos);
    EXPECT_NE(written(r).find("\"failure\":\"dns_nxdomain_error\""), std::string::npos);
}

TEST(ScanRecordWriter, StringsNeedingEscapesMatchTheTree) {
    ScanRecord r = ok_record();
    r.verdict.summary = "quote \" backslash \\ tab \t newline \n bell \x07 del \x7f";
    r.target.host =
        "b\xc3\xbc"
        "cher.example";                  // UTF-8
    r.control_sni = "bad\xff\xfe utf8";  // not UTF-8: replaced
    r.variants[0].failures = {{"unknown_failure: \"odd\"\r\n", 1}};
    expect_same(r);
}

TEST(ScanRecordWriter, NoVariantsAndRepeatedVariantsMatchTheTree) {
    ScanRecord r = ok_record();
    r.variants.clear();
    expect_same(r);
    r = ok_record();
    r.variants.push_back(r.variants[0]);  // one key twice: the tree keeps the last
    r.variants.back().ok = 1;
    expect_same(r);
}

// The writer keeps its buffer from line to line: a short line after a long one carries
// nothing of it.
TEST(ScanRecordWriter, ConsecutiveLinesShareNoBytes) {
    ScanRecord longer = ok_record();
    longer.target.host = std::string(200, 'a') + ".test";
    longer.verdict.summary = std::string(300, 's');
    ScanRecord shorter = ok_record();
    std::ostringstream out;
    write_record(out, longer);
    write_record(out, shorter);
    write_record(out, longer);
    EXPECT_EQ(out.str(), record_json(longer) + "\n" + record_json(shorter) + "\n" +
                             record_json(longer) + "\n");
}

// Confidences are written from a table of the hundredths: every one of them, and values
// between them, must still be record_json's bytes.
TEST(ScanRecordWriter, EveryConfidenceMatchesTheTree) {
    ScanRecord r = ok_record();
    for (int k = 0; k <= 100; ++k) {
        r.verdict.confidence = k / 100.0;
        expect_same(r);
        r.verdict.confidence = k / 100.0 + 0.004;
        expect_same(r);
        r.verdict.confidence = 0.3 + k * 0.001;
        expect_same(r);
    }
    for (double odd : {-0.5, 1.25, 7.0, 1e-9}) {
        r.verdict.confidence = odd;
        expect_same(r);
    }
}

}  // namespace
}  // namespace sniprobe::scan
