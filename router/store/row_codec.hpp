#pragma once
// Message and event rows <-> SQLite statement parameters and columns. The column order of
// kMessageColumns is the parameter order of bind_message (?1 .. ?24) and the column order
// read_message expects.

#include <cstdint>
#include <string>
#include <vector>

#include "router/store/sqlite_db.hpp"

namespace bindery::router::sqlite {

inline constexpr const char* kMessageColumns =
    "id, client, sender, destination, region, text, encoding, segments_estimate, priority, tags, "
    "client_ref, callback_url, state, attempts, provider, segments, last_error, accepted_at, "
    "updated_at, expires_at, schedule_at, next_attempt_at, forced_encoding, charge";
inline constexpr int kMessageColumnCount = 24;

inline constexpr const char* kEventColumns =
    "message_id, from_state, to_state, at, attempt, provider, detail";

std::int64_t to_nanos(SystemTime t) noexcept;
SystemTime from_nanos(std::int64_t ns) noexcept;

// Binds every column of `m` as ?1 .. ?24; SQLITE_OK or the first failing code.
int bind_message(sqlite3_stmt* stmt, const Message& m) noexcept;
int bind_id(sqlite3_stmt* stmt, int index, const MessageId& id) noexcept;
int bind_text(sqlite3_stmt* stmt, int index, std::string_view text) noexcept;

// Reads columns [first, first + 24) of the current row; corrupt when a value cannot be decoded.
Expected<Message, StoreError> read_message(sqlite3_stmt* stmt, int first = 0);
Expected<MessageEvent, StoreError> read_event(sqlite3_stmt* stmt, int first = 0);
Expected<MessageId, StoreError> read_id(sqlite3_stmt* stmt, int column);
std::string read_text(sqlite3_stmt* stmt, int column);

// messages.history (migration 14): the message's events, one record each, appended in the
// statement that changes the message. A record is self-delimiting (format byte, varint time in
// ns, the two state names, varint attempt, provider, detail), so appending is concatenation.
void append_history(std::string& history, const MessageEvent& e);
// Decodes every record of `blob` as events of message `id`, appended to `out`; false when the
// blob is not a sequence of whole records.
bool decode_history(std::string_view blob, const MessageId& id, std::vector<MessageEvent>& out);
// decode_history of the current row's `column` (NULL: no events); corrupt when it cannot be read.
Expected<void, StoreError> read_history(sqlite3_stmt* stmt, int column, const MessageId& id,
                                        std::vector<MessageEvent>& out);

// Length-prefixed encodings of the list columns (exposed for tests of corrupt rows).
std::string encode_tags(const std::vector<std::string>& tags);
std::string encode_segments(const std::vector<Segment>& segments);
bool decode_tags(std::string_view blob, std::vector<std::string>& out);
bool decode_segments(std::string_view blob, std::vector<Segment>& out);

}  // namespace bindery::router::sqlite
