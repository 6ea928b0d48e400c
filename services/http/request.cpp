#include "http/request.hpp"

#include "http/api_error.hpp"

namespace inventory::services {
namespace {
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(std::string_view text, bool plus_is_space) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && plus_is_space) {
            decoded += ' ';
        } else if (c == '%') {
            const int high = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
            const int low = high >= 0 ? hex_digit(text[i + 2]) : -1;
            if (low < 0) throw malformed_input("malformed percent escape in the request target");
            decoded += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            decoded += c;
        }
    }
    return decoded;
}
}  // namespace

void parse_target(std::string_view target, ApiRequest& request) {
    const auto question = target.find('?');
    request.path = decode(target.substr(0, question), false);
    if (question == std::string_view::npos) return;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        std::string name = decode(pair.substr(0, equals), true);
        std::string value = equals == std::string_view::npos
                                ? std::string()
                                : decode(pair.substr(equals + 1), true);
        if (!request.query.emplace(name, std::move(value)).second)
            throw bad_input("query parameter \"" + name + "\" is given twice");
    }
}

}  // namespace inventory::services
