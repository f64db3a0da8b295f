// The bulk endpoint's CSV reader and template: never crash, and what is accepted is consistent
// (header names non-empty and unique, row count within the limit, field sizes within the limit,
// rendered texts never carry a blank field). Input: template, a 0x00 byte, then the CSV.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http-frontend/bulk_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bindery::http;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nul = input.find('\0');
    const std::string_view tmpl_text =
        nul == std::string_view::npos ? std::string_view{} : input.substr(0, nul);
    const std::string_view csv = nul == std::string_view::npos ? input : input.substr(nul + 1);

    CsvLimits limits;
    limits.max_rows = 50;
    limits.max_columns = 8;
    limits.max_field_bytes = 64;
    const auto parsed = parse_csv(csv, limits);
    if (parsed.table && (parsed.error || parsed.too_many_rows)) std::abort();
    if (!parsed.table) return 0;
    const auto& t = *parsed.table;
    if (t.header.empty() || t.header.size() > limits.max_columns || t.rows.size() > limits.max_rows)
        std::abort();
    for (std::size_t i = 0; i < t.header.size(); ++i) {
        if (t.header[i].empty()) std::abort();
        if (find_column(t.header, t.header[i]) != i) std::abort();  // unique, case-insensitive
    }
    std::size_t last_line = 0;
    for (const auto& r : t.rows) {
        if (r.line <= last_line || r.fields.empty() || r.fields.size() > limits.max_columns)
            std::abort();
        last_line = r.line;
        for (const auto& f : r.fields) {
            if (f.size() > limits.max_field_bytes) std::abort();
        }
    }
    std::string error;
    auto tmpl = MessageTemplate::parse(tmpl_text, error);
    if (!tmpl) {
        if (error.empty()) std::abort();
        return 0;
    }
    if (tmpl->bind(t.header)) return 0;
    for (const auto& r : t.rows) {
        std::string missing;
        const auto text = tmpl->render(r.fields, missing);
        if (!text && missing.empty()) std::abort();
        if (text && text->find("{{") != std::string::npos &&
            tmpl_text.find("{{") == std::string_view::npos)
            std::abort();
    }
    return 0;
}
