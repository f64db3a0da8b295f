#include "app/logging.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace bindery::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

std::string format_with(spdlog::formatter& formatter, std::string_view payload,
                        spdlog::level::level_enum level = spdlog::level::info) {
    const spdlog::details::log_msg msg(spdlog::source_loc{}, "bindery", level,
                                       spdlog::string_view_t(payload.data(), payload.size()));
    spdlog::memory_buf_t buf;
    formatter.format(msg, buf);
    return std::string(buf.data(), buf.size());
}

std::vector<std::pair<std::string, std::string>> pairs(const SplitMessage& split) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : split.fields) out.emplace_back(f.key, f.value);
    return out;
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(LogFields, WritesFieldsQuotingOnlyWhenNeeded) {
    EXPECT_EQ(with_fields("bind up", {{"bind", "smsc-a#1"}, {"system_id", "acme"}}),
              "bind up bind=smsc-a#1 system_id=acme");
    EXPECT_EQ(with_fields("failed",
                          {{"error", "connection refused"}, {"note", "say \"hi\""}, {"empty", ""}}),
              "failed error=\"connection refused\" note=\"say \\\"hi\\\"\" empty=\"\"");
}

TEST(LogFields, SplitsTrailingFieldsBackOut) {
    const auto line = with_fields("submit failed", {{"message_id", "m-1"}, {"error", "a b=\"c\""}});
    const auto split = split_fields(line);  // views into `line`
    EXPECT_EQ(split.text, "submit failed");
    EXPECT_THAT(pairs(split), ElementsAre(Pair("message_id", "m-1"), Pair("error", "a b=\"c\"")));
}

TEST(LogFields, OnlyATrailingRunOfFieldsCounts) {
    const auto split = split_fields("x=1 in the middle then words");
    EXPECT_EQ(split.text, "x=1 in the middle then words");
    EXPECT_TRUE(split.fields.empty());
    const auto tail = split_fields("ratio a=b is kept request_id=r7");
    EXPECT_EQ(tail.text, "ratio a=b is kept");
    EXPECT_THAT(pairs(tail), ElementsAre(Pair("request_id", "r7")));
    EXPECT_EQ(split_fields("").text, "");
    EXPECT_EQ(split_fields("unterminated q=\"abc").text, "unterminated q=\"abc");
}

TEST(JsonFormatter, WritesOneObjectPerLineWithFields) {
    auto formatter = make_json_formatter();
    const auto line = format_with(
        *formatter,
        with_fields("message accepted \"quoted\"", {{"message_id", "m-42"}, {"bind", "b#1"}}),
        spdlog::level::warn);
    EXPECT_THAT(line, StartsWith("{\"ts\":\""));
    EXPECT_THAT(line, HasSubstr("\",\"level\":\"warn\",\"msg\":\"message accepted "
                                "\\\"quoted\\\"\",\"message_id\":\"m-42\","
                                "\"bind\":\"b#1\"}\n"));
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(JsonFormatter, EscapesControlCharactersAndKeepsReservedKeys) {
    auto formatter = make_json_formatter();
    const auto line = format_with(*formatter, std::string("tab\there\x01") + " level=fake");
    EXPECT_THAT(line, HasSubstr("\"level\":\"info\",\"msg\":\"tab\\there\\u0001\"}"));
}

TEST(HumanFormatter, WritesTimestampLevelAndMessage) {
    auto formatter = make_human_formatter(false);
    const auto line = format_with(*formatter, "bind up bind=a#1", spdlog::level::err);
    EXPECT_THAT(line, testing::MatchesRegex(
                          "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z ERROR +bind up bind=a#1\n"));
}

// "CRITICALstart-up failed" was the line before: the level ran into the text.
TEST(HumanFormatter, AlwaysSeparatesTheLevelFromTheText) {
    auto formatter = make_human_formatter(false);
    EXPECT_THAT(format_with(*formatter, "start-up failed", spdlog::level::critical),
                testing::EndsWith("Z CRITICAL start-up failed\n"));
    EXPECT_THAT(format_with(*formatter, "up", spdlog::level::info),
                testing::EndsWith("Z INFO  up\n"));
    EXPECT_THAT(format_with(*formatter, "up", spdlog::level::warn),
                testing::EndsWith("Z WARN  up\n"));
    EXPECT_THAT(format_with(*formatter, "up", spdlog::level::debug),
                testing::EndsWith("Z DEBUG up\n"));
    auto colour = make_human_formatter(true);
    EXPECT_THAT(format_with(*colour, "start-up failed", spdlog::level::critical),
                testing::EndsWith("CRITICAL\033[0m start-up failed\n"));
}

// Numbers and booleans are JSON numbers and booleans, unless quoted or under a key that names
// something (ids, names, addresses): those keep one type whatever the value looks like.
TEST(JsonFormatter, WritesPlainNumbersAndBooleansAsJsonValues) {
    auto formatter = make_json_formatter();
    const auto line = format_with(
        *formatter,
        "x carriers=1 port=8080 delta=-7 ratio=0.25 tls=true off=false quoted=\"42\" zero=0 "
        "lead=007 big=1234567890123456 dot=1. hex=0x1f message_id=123 bind=9 carrier=1 "
        "to=989121234567 "
        "word=true1");
    EXPECT_THAT(
        line,
        HasSubstr(R"("msg":"x","carriers":1,"port":8080,"delta":-7,"ratio":0.25,"tls":true,)"
                  R"("off":false,"quoted":"42","zero":0,"lead":"007","big":"1234567890123456",)"
                  R"("dot":"1.","hex":"0x1f","message_id":"123","bind":"9","carrier":"1",)"
                  R"("to":"989121234567","word":"true1"})"));
}

TEST(Logging, ANewDefaultLoggerDropsNamedLoggersMadeForTheOldOne) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("bindery-log-named-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        Logging first(LoggingConfig{LogLevel::info, LogFormat::json, (dir / "a.log").string()});
        spdlog::register_logger(std::make_shared<spdlog::logger>(
            "test.named", spdlog::default_logger()->sinks().begin(),
            spdlog::default_logger()->sinks().end()));
        ASSERT_NE(spdlog::get("test.named"), nullptr);
        Logging second(LoggingConfig{LogLevel::info, LogFormat::json, (dir / "b.log").string()});
        EXPECT_EQ(spdlog::get("test.named"), nullptr);  // would still write into a.log
    }
    std::filesystem::remove_all(dir);
}

TEST(Logging, WritesJsonToTheFileAndReopensItAfterRotation) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("bindery-log-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "bindery.log";
    {
        Logging logging(LoggingConfig{LogLevel::debug, LogFormat::json, file.string()});
        spdlog::info(with_fields("before rotation", {{"request_id", "r1"}}));
        spdlog::debug("debug line");
        logging.flush();
        std::filesystem::rename(file, dir / "bindery.log.1");
        spdlog::info("still the old file");
        logging.reopen();
        spdlog::info(with_fields("after rotation", {{"request_id", "r2"}}));
        logging.flush();
    }
    const auto old_text = read_all(dir / "bindery.log.1");
    const auto new_text = read_all(file);
    std::filesystem::remove_all(dir);
    EXPECT_THAT(old_text, HasSubstr("\"msg\":\"before rotation\",\"request_id\":\"r1\"}"));
    EXPECT_THAT(old_text, HasSubstr("\"msg\":\"debug line\""));
    EXPECT_THAT(old_text, HasSubstr("still the old file"));
    EXPECT_THAT(new_text, HasSubstr("\"msg\":\"log file reopened\""));
    EXPECT_THAT(new_text, HasSubstr("\"msg\":\"after rotation\",\"request_id\":\"r2\"}"));
    EXPECT_THAT(new_text, testing::Not(HasSubstr("before rotation")));
}

TEST(Logging, RefusesALogFileThatCannotBeCreated) {
    // A regular file used as a directory: not even root can create the log there.
    const auto blocker =
        std::filesystem::temp_directory_path() / ("bindery-blocker-" + std::to_string(::getpid()));
    std::ofstream(blocker) << "x";
    EXPECT_THROW(Logging(LoggingConfig{LogLevel::info, LogFormat::human,
                                       (blocker / "bindery.log").string()}),
                 std::runtime_error);
    std::filesystem::remove(blocker);
}

}  // namespace
}  // namespace bindery::app
