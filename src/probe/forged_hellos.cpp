// Variant -> forge shape table, and lazily built templates (see forged_hellos.hpp).
#include "probe/forged_hellos.hpp"

namespace sniprobe {
namespace {

// Template slot of a forged variant: 0 large, 1 chrome, 2 firefox, 3 ech; -1 not forged.
int shape_slot(Variant v) {
    switch (v) {
        case Variant::sni_large:
        case Variant::control_large:
            return 0;
        case Variant::sni_chrome:
        case Variant::control_chrome:
            return 1;
        case Variant::sni_firefox:
        case Variant::control_firefox:
            return 2;
        case Variant::sni_ech:
        case Variant::control_ech:
            return 3;
        default:
            return -1;
    }
}

}  // namespace

bool ForgedHellos::forges(Variant v) {
    return shape_slot(v) >= 0;
}

forge::ForgeOptions ForgedHellos::options_for(Variant v) {
    forge::ForgeOptions o;
    switch (shape_slot(v)) {
        case 0:
            // Chrome's post-quantum hello with the name after the key shares: past the
            // first MSS, in the second TCP segment.
            o.shape = forge::Shape::chrome;
            o.sni_placement = forge::SniPlacement::last;
            break;
        case 1:
            o.shape = forge::Shape::chrome;
            break;
        case 2:
            o.shape = forge::Shape::firefox;
            break;
        case 3:
            // sni's own hello (what OpenSSL sends) plus GREASE ECH: the pair differs in
            // that one extension.
            o.shape = forge::Shape::openssl;
            o.ech = forge::EchGrease::on;
            break;
        default:
            break;
    }
    return o;
}

namespace {

// The template in `slot` for `options` with `server_name`: built on first use, then only
// its name is swapped. nullopt when it cannot be built or the name does not fit.
std::optional<forge::ForgedHello> forge_in(std::unique_ptr<forge::HelloTemplate>& t,
                                           forge::ForgeOptions options,
                                           const std::string& server_name) {
    if (!t) {
        forge::ForgeOptions o = std::move(options);
        o.server_name = server_name;
        auto created = forge::HelloTemplate::create(o);
        if (!created) return std::nullopt;
        t = std::make_unique<forge::HelloTemplate>(std::move(*created));
    } else if (!server_name.empty() && t->options().server_name != server_name &&
               !t->set_server_name(server_name)) {
        return std::nullopt;
    }
    return t->forge();
}

}  // namespace

std::optional<forge::ForgedHello> ForgedHellos::forge(Variant v, const std::string& server_name) {
    int slot = shape_slot(v);
    if (slot < 0) return std::nullopt;
    return forge_in(m_templates[static_cast<size_t>(slot * 2 + (server_name.empty() ? 0 : 1))],
                    options_for(v), server_name);
}

std::optional<forge::ForgedHello> ForgedHellos::forge_shape(forge::Shape shape,
                                                            const std::string& server_name) {
    forge::ForgeOptions o;
    o.shape = shape;
    size_t slot = static_cast<size_t>(shape) * 2 + (server_name.empty() ? 0 : 1);
    if (slot >= m_shape_templates.size()) return std::nullopt;
    return forge_in(m_shape_templates[slot], o, server_name);
}

}  // namespace sniprobe
