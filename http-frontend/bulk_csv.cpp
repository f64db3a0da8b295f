#include "http-frontend/bulk_csv.hpp"

#include <algorithm>
#include <cctype>

namespace bindery::http {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

// Reads one record starting at `pos`; advances `pos` past its line break and `line` past the
// lines it spans. A record that is one empty unquoted field (a blank line) has blank = true.
struct RecordRead {
    std::vector<std::string> fields;
    bool blank = false;
    std::optional<CsvError> error;
};

RecordRead read_record(std::string_view text, std::size_t& pos, std::size_t& line,
                       const CsvLimits& limits) {
    RecordRead out;
    std::string field;
    bool quoted_field = false;  // the current field was quoted
    bool any_quoted = false;
    const auto fail = [&](std::string message) {
        out.error = CsvError{line, std::move(message)};
        return out;
    };
    const auto push_field = [&]() -> bool {
        if (out.fields.size() >= limits.max_columns) return false;
        out.fields.push_back(std::move(field));
        field.clear();
        quoted_field = false;
        return true;
    };
    for (;;) {
        if (pos >= text.size()) {
            if (!push_field())
                return fail("more than " + std::to_string(limits.max_columns) + " fields");
            break;
        }
        const char c = text[pos];
        if (c == '"') {
            if (!field.empty() || quoted_field) {
                return fail(
                    "a quote inside an unquoted field (quote the whole field and double the "
                    "quote)");
            }
            quoted_field = any_quoted = true;
            ++pos;
            const std::size_t open_line = line;
            bool closed = false;
            while (pos < text.size()) {
                const char q = text[pos];
                if (q == '"') {
                    if (pos + 1 < text.size() && text[pos + 1] == '"') {
                        field.push_back('"');
                        pos += 2;
                        if (field.size() > limits.max_field_bytes) {
                            return fail("a field longer than " +
                                        std::to_string(limits.max_field_bytes) + " bytes");
                        }
                        continue;
                    }
                    ++pos;
                    closed = true;
                    break;
                }
                if (q == '\n') ++line;
                field.push_back(q);
                ++pos;
                if (field.size() > limits.max_field_bytes) {
                    return fail("a field longer than " + std::to_string(limits.max_field_bytes) +
                                " bytes");
                }
            }
            if (!closed) {
                out.error = CsvError{open_line, "a quoted field is not closed"};
                return out;
            }
            // Only a separator or the end of the record may follow the closing quote.
            if (pos < text.size() && text[pos] != ',' && text[pos] != '\n' &&
                !(text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') &&
                !(text[pos] == '\r' && pos + 1 == text.size())) {
                return fail("text after a closing quote");
            }
            continue;
        }
        if (c == ',') {
            if (!push_field())
                return fail("more than " + std::to_string(limits.max_columns) + " fields");
            ++pos;
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (c == '\r' && (pos + 1 >= text.size() || text[pos + 1] != '\n')) {
                if (pos + 1 < text.size()) return fail("a bare CR (records end in CRLF or LF)");
                ++pos;  // a lone CR ending the text
            } else {
                pos += c == '\r' ? 2 : 1;
            }
            if (!push_field())
                return fail("more than " + std::to_string(limits.max_columns) + " fields");
            ++line;
            break;
        }
        if (quoted_field) return fail("text after a closing quote");
        field.push_back(c);
        ++pos;
        if (field.size() > limits.max_field_bytes) {
            return fail("a field longer than " + std::to_string(limits.max_field_bytes) + " bytes");
        }
    }
    out.blank = !any_quoted && out.fields.size() == 1 && trim(out.fields[0]).empty();
    return out;
}

}  // namespace

CsvParse parse_csv(std::string_view text, const CsvLimits& limits) {
    CsvParse out;
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::size_t pos = 0;
    std::size_t line = 1;
    CsvTable table;
    bool have_header = false;
    while (pos < text.size()) {
        const std::size_t record_line = line;
        auto r = read_record(text, pos, line, limits);
        if (r.error) {
            out.error = std::move(r.error);
            return out;
        }
        if (r.blank) continue;
        if (!have_header) {
            for (auto& name : r.fields) {
                name = std::string(trim(name));
                if (name.empty()) {
                    out.error = CsvError{record_line, "an empty column name in the header"};
                    return out;
                }
            }
            for (std::size_t i = 0; i < r.fields.size(); ++i) {
                for (std::size_t j = 0; j < i; ++j) {
                    if (iequals(r.fields[i], r.fields[j])) {
                        out.error = CsvError{record_line, "column '" + r.fields[i] +
                                                              "' appears twice in the header"};
                        return out;
                    }
                }
            }
            table.header = std::move(r.fields);
            have_header = true;
            continue;
        }
        if (table.rows.size() == limits.max_rows) {
            out.too_many_rows = true;
            return out;
        }
        table.rows.push_back(CsvRecord{record_line, std::move(r.fields)});
    }
    if (!have_header) {
        out.error = CsvError{1, "no header row"};
        return out;
    }
    out.table = std::move(table);
    return out;
}

std::optional<std::size_t> find_column(const std::vector<std::string>& header,
                                       std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (iequals(header[i], name)) return i;
    }
    return std::nullopt;
}

std::optional<MessageTemplate> MessageTemplate::parse(std::string_view text, std::string& error) {
    MessageTemplate t;
    std::string literal;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            literal.append(text.substr(pos));
            break;
        }
        literal.append(text.substr(pos, open - pos));
        const auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            error = "'{{' at offset " + std::to_string(open) + " is not closed by '}}'";
            return std::nullopt;
        }
        const auto name = trim(text.substr(open + 2, close - open - 2));
        if (name.empty() || !std::all_of(name.begin(), name.end(), name_char)) {
            error = "'{{" + std::string(text.substr(open + 2, close - open - 2)) +
                    "}}' is not a field name (letters, digits, _ - .)";
            return std::nullopt;
        }
        if (!literal.empty()) t.parts_.push_back({false, std::move(literal)});
        literal.clear();
        t.parts_.push_back({true, std::string(name)});
        pos = close + 2;
    }
    if (!literal.empty()) t.parts_.push_back({false, std::move(literal)});
    if (t.parts_.empty()) {
        error = "the template is empty";
        return std::nullopt;
    }
    return t;
}

std::vector<std::string> MessageTemplate::fields() const {
    std::vector<std::string> out;
    for (const auto& p : parts_) {
        if (!p.placeholder) continue;
        if (std::none_of(out.begin(), out.end(),
                         [&](const std::string& f) { return iequals(f, p.text); })) {
            out.push_back(p.text);
        }
    }
    return out;
}

std::optional<std::string> MessageTemplate::bind(const std::vector<std::string>& header) {
    columns_.assign(parts_.size(), 0);
    for (std::size_t i = 0; i < parts_.size(); ++i) {
        if (!parts_[i].placeholder) continue;
        const auto col = find_column(header, parts_[i].text);
        if (!col) return parts_[i].text;
        columns_[i] = *col;
    }
    return std::nullopt;
}

std::optional<std::string> MessageTemplate::render(const std::vector<std::string>& fields,
                                                   std::string& missing) const {
    std::string out;
    for (std::size_t i = 0; i < parts_.size(); ++i) {
        const auto& p = parts_[i];
        if (!p.placeholder) {
            out += p.text;
            continue;
        }
        const std::size_t col = i < columns_.size() ? columns_[i] : fields.size();
        const std::string_view value = col < fields.size() ? trim(fields[col]) : std::string_view{};
        if (value.empty()) {
            missing = p.text;
            return std::nullopt;
        }
        out += value;
    }
    return out;
}

}  // namespace bindery::http
