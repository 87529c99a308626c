// State files round-trip, and the supervisor is recognised by its command line (how
// `down` finds one whose `up` was killed before anything was recorded).
#include "lab/state.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "lab/supervisor.hpp"
#include "support/temp.hpp"

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    test::TempDir dir{"sniprobe-state-test"};
    std::string path = dir.path().string();
};

TEST(State, LabStateRoundTrips) {
    TempDir dir;
    LabState s;
    s.instance = "t-x";
    s.middlebox_hop = 3;
    s.profile = "gfw";
    s.rules_file = dir.path + "/rules.toml";
    s.server_reset_name = "blocked.test";
    s.block_address = true;
    s.server_connlimit = 6;
    s.server_limit_conn = 8;
    s.ca_file = dir.path + "/pki/ca.pem";
    s.self_exe = "/usr/bin/sniprobe";
    ASSERT_TRUE(save_lab_state(dir.path, s));
    auto loaded = load_lab_state(dir.path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->instance, "t-x");
    EXPECT_EQ(loaded->middlebox_hop, 3);
    EXPECT_EQ(loaded->profile, "gfw");
    EXPECT_EQ(loaded->rules_file, s.rules_file);
    EXPECT_EQ(loaded->server_connlimit, 6);
    EXPECT_EQ(loaded->server_limit_conn, 8);
    EXPECT_EQ(loaded->server_reset_name, "blocked.test");
    EXPECT_TRUE(loaded->block_address);
    EXPECT_EQ(loaded->ca_file, s.ca_file);
    EXPECT_EQ(loaded->self_exe, s.self_exe);
    EXPECT_FALSE(fs::exists(dir.path + "/lab.json.tmp"));
}

TEST(State, ProcessStateRoundTrips) {
    TempDir dir;
    ASSERT_TRUE(save_process_state(dir.path, {11, 22, 0}));
    auto loaded = load_process_state(dir.path);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->supervisor, 11);
    EXPECT_EQ(loaded->nginx, 22);
    EXPECT_EQ(loaded->middlebox, 0);
}

TEST(State, MissingOrBrokenFilesAreErrors) {
    TempDir dir;
    EXPECT_FALSE(load_lab_state(dir.path));
    ASSERT_TRUE(write_text_file(dir.path + "/lab.json", "{\"instance\": 3"));
    auto broken = load_lab_state(dir.path);
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().message.find("lab.json"), std::string::npos);
}

TEST(Supervisor, RecognisedByStateDirectory) {
    auto argv = supervisor_argv("/bin/sniprobe", "/run/sniprobe-lab-a", 5);
    EXPECT_TRUE(is_supervisor_of(argv, "/run/sniprobe-lab-a"));
    EXPECT_FALSE(is_supervisor_of(argv, "/run/sniprobe-lab"));
    EXPECT_FALSE(
        is_supervisor_of({"/bin/sniprobe", "lab", "up", "--state-dir", "/run/sniprobe-lab-a"},
                         "/run/sniprobe-lab-a"));
}

}  // namespace
}  // namespace sniprobe::lab
