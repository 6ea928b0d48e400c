#include "common/options.hpp"

#include <cctype>
#include <cstdlib>

namespace inventory::services {
namespace {
std::string environment_name(const std::string& option) {
    std::string name = "INVENTORY_";
    for (const char c : option)
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}
}  // namespace

Options::Options(int argc, char** argv, std::vector<OptionSpec> specs) : specs_(std::move(specs)) {
    for (const auto& spec : specs_) {
        const char* from_environment = std::getenv(environment_name(spec.name).c_str());
        values_[spec.name] = from_environment ? from_environment : spec.default_value;
    }
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (argument == "--help" || argument == "-h") {
            help_requested_ = true;
            continue;
        }
        if (!argument.starts_with("--") || !values_.contains(argument.substr(2)))
            throw std::invalid_argument("unknown option " + argument);
        if (i + 1 >= argc) throw std::invalid_argument("option " + argument + " needs a value");
        values_[argument.substr(2)] = argv[++i];
    }
}

const std::string& Options::text(const std::string& name) const {
    return values_.at(name);
}

long Options::integer(const std::string& name, long minimum, long maximum) const {
    const std::string& value = text(name);
    std::size_t used = 0;
    long number = 0;
    try {
        number = std::stol(value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != value.size() || number < minimum || number > maximum)
        throw std::invalid_argument("--" + name + " must be a whole number from " +
                                    std::to_string(minimum) + " to " + std::to_string(maximum) +
                                    ", not \"" + value + "\"");
    return number;
}

std::string Options::usage(const std::string& program) const {
    std::string text = "usage: " + program + " [options]\n";
    for (const auto& spec : specs_) {
        text += "  --" + spec.name + " (" + environment_name(spec.name) + ")";
        if (!spec.default_value.empty()) text += ", default " + spec.default_value;
        text += "\n      " + spec.help + "\n";
    }
    return text;
}

}  // namespace inventory::services
