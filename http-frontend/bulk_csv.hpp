#pragma once
// The text side of POST /v1/messages/bulk, std only (no JSON, no HTTP): an RFC 4180 CSV reader
// and the {{field}} template that turns each row into a message text.
//
// CSV: records end in CRLF or LF (a last record without one is fine); fields are separated by
// commas; a field in double quotes may hold commas, line breaks and "" (one quote). A UTF-8 BOM
// at the start is skipped. Blank lines are skipped. The first record is the header: names are
// trimmed of spaces and compared case-insensitively; empty and duplicate names are refused.
// A quote inside an unquoted field, text after a closing quote and an unterminated quoted field
// are errors naming the line.
//
// Template: literal text with {{name}} placeholders (spaces inside the braces allowed; names are
// letters, digits, '_', '-' and '.'); "{{" without a closing "}}" is an error. Every placeholder
// must name a column; a row whose value for a used column is empty (after trimming) is refused
// with that column's name, never sent with a blank.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::http {

struct CsvRecord {
    std::size_t line = 0;  // 1-based line where the record starts
    std::vector<std::string> fields;
};

struct CsvError {
    std::size_t line = 0;
    std::string message;
};

struct CsvTable {
    std::vector<std::string> header;  // trimmed names, as written
    std::vector<CsvRecord> rows;      // data records, in order
};

struct CsvLimits {
    std::size_t max_rows = 10'000;  // data records (header not counted)
    std::size_t max_columns = 64;
    std::size_t max_field_bytes = 4096;
};

// POST /v1/messages/bulk (ApiConfig::bulk).
struct BulkLimits {
    CsvLimits csv;
    std::size_t submit_chunk = 500;  // rows handed to the gateway per submit() call
};

// `too_many_rows` is set (and parsing stops) when the data records exceed limits.max_rows.
struct CsvParse {
    std::optional<CsvTable> table;
    std::optional<CsvError> error;
    bool too_many_rows = false;
};
CsvParse parse_csv(std::string_view text, const CsvLimits& limits);

// The header column named `name` (case-insensitive), if any.
std::optional<std::size_t> find_column(const std::vector<std::string>& header,
                                       std::string_view name);

class MessageTemplate {
public:
    struct Part {
        bool placeholder = false;
        std::string text;  // literal text, or the placeholder's name
    };

    // nullopt with `error` set for a malformed template.
    static std::optional<MessageTemplate> parse(std::string_view text, std::string& error);

    const std::vector<Part>& parts() const noexcept { return parts_; }
    // Placeholder names, first use order, without repeats.
    std::vector<std::string> fields() const;

    // Binds placeholder names to header columns; the first name with no column when one is
    // missing.
    std::optional<std::string> bind(const std::vector<std::string>& header);
    // The text for a row (bind() first). On a missing (empty) value: nullopt and `missing` names
    // the column.
    std::optional<std::string> render(const std::vector<std::string>& fields,
                                      std::string& missing) const;

private:
    std::vector<Part> parts_;
    std::vector<std::size_t> columns_;  // per part, for placeholders
};

}  // namespace bindery::http
