// Lab naming: every namespace, /etc/netns directory and state directory carries the
// sniprobe- prefix, and names parse back to (instance, node) so `down` recognises its
// own leftovers and nothing else.
#include "lab/instance.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sniprobe::lab {
namespace {

TEST(Instance, DefaultInstanceNames) {
    Instance def;
    EXPECT_EQ(def.netns("client"), "sniprobe-client");
    EXPECT_EQ(def.netns("r2"), "sniprobe-r2");
    EXPECT_EQ(def.state_dir(), "/run/sniprobe-lab");
    EXPECT_EQ(def.etc_netns_dir("server"), "/etc/netns/sniprobe-server");
    EXPECT_EQ(def.display_name(), "default");
}

TEST(Instance, NamedInstanceNames) {
    auto inst = Instance::named("t-lab_lifecycle");
    ASSERT_TRUE(inst);
    EXPECT_EQ(inst->netns("client"), "sniprobe-t-lab_lifecycle-client");
    EXPECT_EQ(inst->state_dir(), "/run/sniprobe-lab-t-lab_lifecycle");
    EXPECT_EQ(inst->etc_netns_dir("r1"), "/etc/netns/sniprobe-t-lab_lifecycle-r1");
}

TEST(Instance, RejectsUnsafeNames) {
    for (const char* bad : {"-x", "a/b", "a b", "../etc", "x.y", "_x"})
        EXPECT_FALSE(Instance::named(bad)) << bad;
    EXPECT_FALSE(Instance::named(std::string(41, 'a')));
    EXPECT_TRUE(Instance::named(std::string(40, 'a')));
}

TEST(Instance, FromEnvironment) {
    ::setenv("SNIPROBE_LAB_INSTANCE", "envlab", 1);
    auto inst = Instance::from_environment();
    ::unsetenv("SNIPROBE_LAB_INSTANCE");
    ASSERT_TRUE(inst);
    EXPECT_EQ(inst->name(), "envlab");
    auto def = Instance::from_environment();
    ASSERT_TRUE(def);
    EXPECT_EQ(def->name(), "");
}

TEST(ParseNetnsName, RoundTripsEveryNode) {
    for (const char* name : {"", "a", "t-lab_seed", "x-r1"}) {
        auto inst = Instance::named(name);
        ASSERT_TRUE(inst);
        for (const auto& node : all_node_names()) {
            auto parsed = parse_netns_name(inst->netns(node));
            ASSERT_TRUE(parsed) << inst->netns(node);
            EXPECT_EQ(parsed->instance, name);
            EXPECT_EQ(parsed->node, node);
        }
    }
}

TEST(ParseNetnsName, IgnoresNamesThatAreNotOurs) {
    for (const char* other :
         {"client", "sniprobe-", "sniprobe-router", "sniprobe-mbx-router", "docker-r1",
          "sniprobe--client", "sniprobe-a b-client", "xsniprobe-client"})
        EXPECT_FALSE(parse_netns_name(other)) << other;
}

TEST(ParseStateDirName, DefaultAndNamed) {
    EXPECT_EQ(parse_state_dir_name("sniprobe-lab"), std::optional<std::string>(""));
    EXPECT_EQ(parse_state_dir_name("sniprobe-lab-t-x"), std::optional<std::string>("t-x"));
    EXPECT_FALSE(parse_state_dir_name("sniprobe-labx"));
    EXPECT_FALSE(parse_state_dir_name("sniprobe-lab-"));
    EXPECT_FALSE(parse_state_dir_name("nginx"));
}

}  // namespace
}  // namespace sniprobe::lab
