// The variants whose ClientHello sniprobe writes itself (src/forge/) instead of OpenSSL:
// the large post-quantum hello, the browser shapes and sni's shape with GREASE ECH, each
// with its control-name twin.
// One template per (variant's shape, named or not) is built on first use and reused for
// every trial of the run; the name is swapped in place, so a trial costs one forge().
// These probes stop at the server's first record: with forged key shares there is no key
// to finish the handshake with, and a ServerHello (or HelloRetryRequest) already proves
// the hello got through and the server answered it.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "forge/hello_forge.hpp"
#include "model/variant.hpp"

namespace sniprobe {

class ForgedHellos {
  public:
    // True for the variants sent as forged hellos.
    static bool forges(Variant v);
    // The forge options of such a variant (shape, placement), without a name.
    static forge::ForgeOptions options_for(Variant v);

    // A fresh hello for the variant and name; nullopt when the variant is not forged or the
    // template cannot be built (a name over 255 bytes, an OpenSSL failure).
    std::optional<forge::ForgedHello> forge(Variant v, const std::string& server_name);
    // A fresh hello of `shape` for a plain (whole, one-write) variant: scan's and
    // diagnose's hello-only probes when a hello shape is chosen.
    std::optional<forge::ForgedHello> forge_shape(forge::Shape shape,
                                                  const std::string& server_name);

  private:
    // Slots: large, chrome, firefox, ech; unnamed and named.
    std::array<std::unique_ptr<forge::HelloTemplate>, 8> m_templates;
    // By shape (openssl, chrome, firefox, minimal); unnamed and named.
    std::array<std::unique_ptr<forge::HelloTemplate>, 8> m_shape_templates;
};

}  // namespace sniprobe
