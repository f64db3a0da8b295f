// The bulk endpoint's CSV reader (RFC 4180, CRLF/LF, BOM, quoting, limits) and {{field}}
// templates, table-driven.
#include "http-frontend/bulk_csv.hpp"

#include <gtest/gtest.h>

namespace bindery::http {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows rows_of(const CsvTable& t) {
    Rows out;
    for (const auto& r : t.rows) out.push_back(r.fields);
    return out;
}

TEST(ParseCsv, ReadsRfc4180RecordsWithCrlfOrLf) {
    const auto p = parse_csv(
        "phone,name,code\r\n+989121234567,Ali,4711\r\n+989351234567,\"Sara, M.\",\"say "
        "\"\"hi\"\"\"\r\n",
        {});
    ASSERT_TRUE(p.table) << p.error->message;
    EXPECT_EQ(p.table->header, (std::vector<std::string>{"phone", "name", "code"}));
    EXPECT_EQ(rows_of(*p.table), (Rows{{"+989121234567", "Ali", "4711"},
                                       {"+989351234567", "Sara, M.", "say \"hi\""}}));
    EXPECT_EQ(p.table->rows[0].line, 2u);
    EXPECT_EQ(p.table->rows[1].line, 3u);

    const auto lf = parse_csv("phone,name\n1,a\n2,b", {});  // no final line break
    ASSERT_TRUE(lf.table);
    EXPECT_EQ(rows_of(*lf.table), (Rows{{"1", "a"}, {"2", "b"}}));
}

TEST(ParseCsv, SkipsABomAndBlankLinesAndKeepsLineNumbersOfMultilineFields) {
    const auto p = parse_csv("\xEF\xBB\xBF Phone , Name \n\n1,\"two\nlines\"\n\r\n3,c\n", {});
    ASSERT_TRUE(p.table) << p.error->message;
    EXPECT_EQ(p.table->header, (std::vector<std::string>{"Phone", "Name"}));
    EXPECT_EQ(rows_of(*p.table), (Rows{{"1", "two\nlines"}, {"3", "c"}}));
    EXPECT_EQ(p.table->rows[0].line, 3u);
    EXPECT_EQ(p.table->rows[1].line, 6u);
    EXPECT_EQ(find_column(p.table->header, "phone"), 0u);
    EXPECT_EQ(find_column(p.table->header, "NAME"), 1u);
    EXPECT_FALSE(find_column(p.table->header, "code"));
    // Empty fields and an empty quoted field are values, not blank lines.
    const auto e = parse_csv("phone,a\n1,\n\"\"\n", {});
    ASSERT_TRUE(e.table);
    EXPECT_EQ(rows_of(*e.table), (Rows{{"1", ""}, {""}}));
}

TEST(ParseCsv, RefusesMalformedInputNamingTheLine) {
    struct Case {
        const char* text;
        std::size_t line;
        const char* message_part;
    };
    const Case cases[] = {
        {"phone\n\"open\n", 2, "not closed"},
        {"phone\n\"a\"b\n", 2, "after a closing quote"},
        {"phone\nab\"c\n", 2, "quote inside an unquoted"},
        {"phone\n1\r2\n", 2, "bare CR"},
        {"phone,,x\n", 1, "empty column name"},
        {"phone,Name,name\n", 1, "appears twice"},
        {"", 1, "no header"},
        {"\n\n", 1, "no header"},
        {"phone\n12345678901234567890\n", 2, "longer than 16"},
        {"a,b,c,d,e\n", 1, "more than 4 fields"},
    };
    CsvLimits limits;
    limits.max_field_bytes = 16;
    limits.max_columns = 4;
    for (const auto& c : cases) {
        const auto p = parse_csv(c.text, limits);
        ASSERT_FALSE(p.table) << c.text;
        ASSERT_TRUE(p.error) << c.text;
        EXPECT_EQ(p.error->line, c.line) << c.text;
        EXPECT_NE(p.error->message.find(c.message_part), std::string::npos)
            << c.text << ": " << p.error->message;
    }
}

TEST(ParseCsv, StopsAtTheRowLimit) {
    CsvLimits limits;
    limits.max_rows = 2;
    EXPECT_TRUE(parse_csv("phone\n1\n2\n", limits).table);
    const auto p = parse_csv("phone\n1\n2\n3\n", limits);
    EXPECT_FALSE(p.table);
    EXPECT_TRUE(p.too_many_rows);
}

TEST(MessageTemplate, RendersFieldsByColumnNameAndReportsBlanks) {
    std::string error;
    auto t = MessageTemplate::parse("Hello {{name}}, your code is {{ code }}. Bye {{Name}}", error);
    ASSERT_TRUE(t) << error;
    EXPECT_EQ(t->fields(), (std::vector<std::string>{"name", "code"}));
    EXPECT_FALSE(t->bind({"phone", "NAME", "code"}));
    std::string missing;
    EXPECT_EQ(t->render({"+1", " Ali ", "4711"}, missing), "Hello Ali, your code is 4711. Bye Ali");
    EXPECT_FALSE(t->render({"+1", "Ali", "  "}, missing));
    EXPECT_EQ(missing, "code");
    EXPECT_FALSE(t->render({"+1"}, missing));  // short row
    EXPECT_EQ(missing, "name");

    auto u = MessageTemplate::parse("Hi {{first_name}}", error);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->bind({"phone", "name"}), "first_name");

    auto plain = MessageTemplate::parse("No fields } { here", error);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->render({"+1"}, missing), "No fields } { here");
}

TEST(MessageTemplate, RefusesMalformedPlaceholders) {
    for (const char* bad : {"Hello {{name", "Hello {{}}", "Hello {{ two words }}", "{{a}b}}", ""}) {
        std::string error;
        EXPECT_FALSE(MessageTemplate::parse(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

}  // namespace
}  // namespace bindery::http
