// Plan construction: rounds of variants, each round shuffled with a seeded generator so
// a run can be replayed (--seed) and so no variant always runs first after a pause.
#include "probe/plan.hpp"

#include <algorithm>
#include <cctype>
#include <random>

#include "resolve/target.hpp"

namespace sniprobe {
namespace {

// "blocked.test" -> "BlOcKeD.tEsT": letters alternate, starting upper case, so an
// exact-string matcher misses it while a case-insensitive one does not.
std::string mixed_case(const std::string& name) {
    std::string out = name;
    bool upper = true;
    for (auto& c : out) {
        if (!std::isalpha(static_cast<unsigned char>(c))) continue;
        c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                    : std::tolower(static_cast<unsigned char>(c)));
        upper = !upper;
    }
    return out;
}

}  // namespace

std::string server_name_for(Variant variant, const Target& target) {
    std::string control =
        target.control_sni.empty() ? default_control_sni(target) : target.control_sni;
    switch (variant) {
        case Variant::no_sni:
            return "";
        case Variant::control_sni:
        case Variant::control_split_tcp:
        case Variant::control_large:
        case Variant::control_chrome:
        case Variant::control_firefox:
        case Variant::control_ech:
        case Variant::control_http:
            return control;
        case Variant::sni_case:
            return mixed_case(target.sni);
        case Variant::http_host:
            if (!target.sni.empty()) return target.sni;
            return target.host.find(':') == std::string::npos ? target.host
                                                              : "[" + target.host + "]";
        default:
            return target.sni;
    }
}

std::vector<PlannedTrial> plan_trials(const Target& target, const Resolution& resolution,
                                      const ProbeOptions& options) {
    std::vector<PlannedTrial> plan;
    if (resolution.addresses.empty()) return plan;
    size_t address_count = resolution.addresses.size();
    if (options.max_addresses > 0)
        address_count = std::min(address_count, static_cast<size_t>(options.max_addresses));

    std::vector<Variant> variants;
    for (Variant v : options.variants) {
        if (names_target_in_hello(v) && v != Variant::full_verify && target.sni.empty()) continue;
        if (std::find(variants.begin(), variants.end(), v) == variants.end()) variants.push_back(v);
    }

    std::mt19937_64 rng(options.seed);
    for (int round = 0; round < options.trials_per_variant; ++round) {
        std::vector<Variant> order = variants;
        std::shuffle(order.begin(), order.end(), rng);
        const auto& address =
            resolution.addresses[static_cast<size_t>(round) % address_count].address;
        for (Variant v : order) {
            PlannedTrial trial;
            trial.id = static_cast<int>(plan.size());
            trial.variant = v;
            trial.address = address;
            trial.port = is_http_variant(v) ? options.http_port : target.port;
            trial.server_name = server_name_for(v, target);
            plan.push_back(std::move(trial));
        }
    }
    return plan;
}

}  // namespace sniprobe
