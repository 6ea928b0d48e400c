// Command-line options of the services: "--name value" pairs, each also settable by an
// environment variable (INVENTORY_<NAME>, upper case, '-' as '_'); the command line wins.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace inventory::services {

struct OptionSpec {
    std::string name;           // without the leading "--"
    std::string default_value;  // "" for none
    std::string help;
};

class Options {
  public:
    // Throws std::invalid_argument for an unknown option or one without its value; "--help"
    // sets help_requested().
    Options(int argc, char** argv, std::vector<OptionSpec> specs);

    [[nodiscard]] const std::string& text(const std::string& name) const;
    // The option as an integer in [minimum, maximum]; std::invalid_argument otherwise.
    [[nodiscard]] long integer(const std::string& name, long minimum, long maximum) const;
    [[nodiscard]] bool help_requested() const { return help_requested_; }
    [[nodiscard]] std::string usage(const std::string& program) const;

  private:
    std::vector<OptionSpec> specs_;
    std::map<std::string, std::string> values_;
    bool help_requested_ = false;
};

}  // namespace inventory::services
