// docs/json.md must document every field the writer emits and every evidence id the
// verdict may cite: this test fails when one is added without its documentation.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "report/json_report.hpp"
#include "rich_diagnosis.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe {
namespace {

using nlohmann::json;

std::string read_docs() {
    std::ifstream in(std::string(SNIPROBE_TEST_DATA) + "/../../docs/json.md");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Every object key in the document, except the keys of data maps (failure counts).
void collect_keys(const json& j, std::set<std::string>& keys) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            keys.insert(it.key());
            if (it.key() != "failures") collect_keys(it.value(), keys);
        }
    } else if (j.is_array()) {
        for (const auto& v : j) collect_keys(v, keys);
    }
}

TEST(JsonDocs, DocumentEveryFieldTheWriterEmits) {
    const std::string docs = read_docs();
    ASSERT_FALSE(docs.empty()) << "docs/json.md not found";
    std::ostringstream out;
    write_json(out, testing::rich_diagnosis());
    std::set<std::string> keys;
    collect_keys(json::parse(out.str()), keys);
    EXPECT_GT(keys.size(), 60u);
    for (const auto& key : keys)
        EXPECT_TRUE(docs.find("`" + key + "`") != std::string::npos ||
                    docs.find("." + key + "`") != std::string::npos)  // `trace.hops[].router`
            << "undocumented field: " << key;
}

TEST(JsonDocs, DocumentEveryEvidenceId) {
    const std::string docs = read_docs();
    for (const EvidenceId& e : k_all_evidence_ids)
        EXPECT_NE(docs.find(std::string("`") + e.id + "` | " + e.meaning), std::string::npos)
            << "evidence id missing or its meaning differs in docs/json.md: " << e.id;
}

}  // namespace
}  // namespace sniprobe
