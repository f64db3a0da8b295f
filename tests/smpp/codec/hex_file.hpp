#pragma once
// Test support: reads the commented hex vectors of tests/golden/ ("# comment" lines + hex octets).

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace bindery::smpp::test {

struct HexFile {
    std::vector<std::uint8_t> bytes;
    std::map<std::string, std::string> expect;  // from "# expect: key=value key=value"
};

inline std::filesystem::path golden_dir() {
    return std::filesystem::path(BINDERY_SOURCE_DIR) / "tests" / "golden";
}

inline HexFile read_hex_file(const std::filesystem::path& path) {
    HexFile out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            const std::string comment = line.substr(hash + 1);
            const std::string tag = " expect:";
            if (comment.rfind(tag, 0) == 0) {
                std::istringstream kv(comment.substr(tag.size()));
                std::string item;
                while (kv >> item) {
                    const auto eq = item.find('=');
                    out.expect[item.substr(0, eq)] =
                        eq == std::string::npos ? "" : item.substr(eq + 1);
                }
            }
            line.resize(hash);
        }
        int nibble = -1;
        for (const char c : line) {
            if (std::isspace(static_cast<unsigned char>(c))) continue;
            const int v = std::isdigit(static_cast<unsigned char>(c))
                              ? c - '0'
                              : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
            if (nibble < 0) {
                nibble = v;
            } else {
                out.bytes.push_back(static_cast<std::uint8_t>(nibble * 16 + v));
                nibble = -1;
            }
        }
    }
    return out;
}

inline HexFile read_golden(const std::string& folder, const std::string& name) {
    return read_hex_file(golden_dir() / folder / (name + ".hex"));
}

inline std::vector<std::string> golden_names(const std::string& folder) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(golden_dir() / folder)) {
        if (e.path().extension() == ".hex") names.push_back(e.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace bindery::smpp::test
