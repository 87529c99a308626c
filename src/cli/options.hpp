// Options several sub-commands share, defined once so each command spells them with the
// same name, help text, default display and validation.
#pragma once

#include <string>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sniprobe::cli {

// --timeout-ms: how long one probe may take (diagnose, scan).
CLI::Option* add_timeout_option(CLI::App* cmd, int& timeout_ms);

// --control-sni: the unrelated name probed as a control (diagnose, scan, trace).
CLI::Option* add_control_sni_option(CLI::App* cmd, std::string& control_sni);

// --token-file: the file holding the sink's shared token (sink, diagnose --sink).
CLI::Option* add_token_file_option(CLI::App* cmd, std::string& token_file);

// --json: machine-readable output instead of text (diagnose, trace, lab status, logs).
CLI::Option* add_json_flag(CLI::App* cmd, bool& json, const std::string& format_doc = "");

}  // namespace sniprobe::cli
