// CertProblem: why a server's certificate chain failed verification, as the probe
// classifies OpenSSL's X509_V_ERR_* codes. A trial's CertificateCheck carries it and a
// certificate verdict names it as its subcode; its stable names are in model/names.cpp.
#pragma once

namespace sniprobe {

// Why a chain failed verification; `none` when it verified. Declared in the names' order
// (model/names.cpp), so a map keyed on it breaks ties between equally common problems
// alphabetically, as reports always have.
enum class CertProblem {
    none,
    chain_incomplete,  // the server left out an intermediate
    expired,
    name_mismatch,  // the certificate does not list the name
    not_yet_valid,
    other,        // any other X509_V_ERR_*
    self_signed,  // the leaf signs itself
    untrusted,    // the chain ends at a root no trust store holds
};

}  // namespace sniprobe
