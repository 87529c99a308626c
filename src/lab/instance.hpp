// The one place that names what a lab instance owns: its namespaces
// (`sniprobe-<node>` or `sniprobe-<instance>-<node>`), its /etc/netns directories and
// its state directory (/run/sniprobe-lab[-<instance>]). Everything carries the
// `sniprobe-` prefix so `lab down` can find its own leftovers — including those of a
// run that was killed half-way — and never touch anything else on the machine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::lab {

// Prefix of every namespace and /etc/netns directory the lab creates.
inline constexpr std::string_view k_netns_prefix = "sniprobe-";
// Where `ip netns` keeps its namespace handles.
inline constexpr std::string_view k_netns_run_dir = "/run/netns";
// Where `ip netns exec` finds per-namespace hosts/resolv.conf.
inline constexpr std::string_view k_etc_netns_dir = "/etc/netns";
// Prefix of the state directories under /run.
inline constexpr std::string_view k_state_dir_prefix = "/run/sniprobe-lab";

// Every node name a lab can have, in path order (routers r1..r3 as configured).
const std::vector<std::string>& all_node_names();

// A lab instance: "" is the default instance.
class Instance {
  public:
    // The default instance.
    Instance() = default;
    // Validates the name (letters, digits, '-', '_', at most 40, starting with a letter
    // or digit); "" is the default instance.
    static Result<Instance> named(std::string_view name);
    // The instance named by SNIPROBE_LAB_INSTANCE, else the default one.
    static Result<Instance> from_environment();

    // The instance name ("" for the default).
    const std::string& name() const { return m_name; }
    // "default" or the name, for messages.
    std::string display_name() const;
    // The namespace of a node: sniprobe-client or sniprobe-<instance>-client.
    std::string netns(std::string_view node) const;
    // /etc/netns/<netns(node)>.
    std::string etc_netns_dir(std::string_view node) const;
    // /run/sniprobe-lab or /run/sniprobe-lab-<instance>.
    std::string state_dir() const;

    bool operator==(const Instance&) const = default;

  private:
    std::string m_name;
};

// A namespace (or /etc/netns directory) name split into instance and node.
struct NetnsName {
    std::string instance;  // "" for the default instance
    std::string node;
};

// Parses "sniprobe-[<instance>-]<node>"; nullopt when the name is not one of ours.
std::optional<NetnsName> parse_netns_name(std::string_view name);

// Parses a state directory's base name ("sniprobe-lab[-<instance>]") into the instance name.
std::optional<std::string> parse_state_dir_name(std::string_view base_name);

// The namespaces of `instance` that exist now (from /run/netns).
std::vector<std::string> existing_netns(const Instance& instance);

// Every instance that has anything on this machine (namespaces, /etc/netns, state dir).
std::vector<Instance> instances_present();

}  // namespace sniprobe::lab
