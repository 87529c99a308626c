// The lab's certificates, made with the OpenSSL API at `lab up`: a root CA, an
// intermediate, and one leaf per served name, each shaped for one verdict —
// ok/blocked/default (valid, full chain), chain.test (leaf only: the intermediate is
// missing, so a client fails with "unable to get local issuer certificate"),
// expired.test (validity ended yesterday: `openssl x509 -days` cannot go negative, the
// API can) and other.test (served for mismatch.test: the name check fails).
#pragma once

#include <string>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::lab {

// How a leaf is served.
enum class ChainForm { full, leaf_only };
// Whether a leaf is inside its validity period.
enum class Validity { current, expired };

// One leaf certificate to make.
struct LeafSpec {
    std::string dns_name;  // subject CN and the only subjectAltName
    Validity validity = Validity::current;
    ChainForm chain = ChainForm::full;
};

// Files of one leaf, as nginx's ssl_certificate / ssl_certificate_key want them.
struct LeafFiles {
    std::string dns_name;
    std::string certificate_file;  // leaf (+ intermediate when ChainForm::full), PEM
    std::string key_file;          // PEM, mode 0600
};

// What `make_pki` wrote.
struct Pki {
    std::string ca_file;            // the root, the trust anchor a client passes as CAfile
    std::string intermediate_file;  // the intermediate alone
    std::vector<LeafFiles> leaves;

    // The files of the leaf for `dns_name` (nullptr when there is none).
    const LeafFiles* leaf(const std::string& dns_name) const;
};

// The leaves the lab serves: ok, blocked, default, chain (leaf only), expired, other.
std::vector<LeafSpec> lab_leaf_specs();

// Creates `dir` if needed and writes the root, the intermediate and every leaf there.
Result<Pki> make_pki(const std::string& dir, const std::vector<LeafSpec>& leaves);

}  // namespace sniprobe::lab
