// The shared options (see options.hpp): one definition each.
#include "cli/options.hpp"

#include <CLI/CLI.hpp>

namespace sniprobe::cli {

CLI::Option* add_timeout_option(CLI::App* cmd, int& timeout_ms) {
    return cmd->add_option("--timeout-ms", timeout_ms, "per-probe timeout in milliseconds")
        ->check(CLI::Range(200, 60000))
        ->capture_default_str();
}

CLI::Option* add_control_sni_option(CLI::App* cmd, std::string& control_sni) {
    return cmd->add_option(
        "--control-sni", control_sni,
        "the unrelated name used as a control (default: example.com, or example.org)");
}

CLI::Option* add_token_file_option(CLI::App* cmd, std::string& token_file) {
    return cmd
        ->add_option("--token-file", token_file,
                     "file holding the sink's shared token (first line, 16+ characters)")
        ->check(CLI::ExistingFile);
}

CLI::Option* add_json_flag(CLI::App* cmd, bool& json, const std::string& format_doc) {
    const std::string doc = format_doc.empty() ? "" : " (" + format_doc + ")";
    return cmd->add_flag("--json", json, "print JSON" + doc + " instead of text");
}

}  // namespace sniprobe::cli
