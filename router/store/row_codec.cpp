#include "router/store/row_codec.hpp"

#include <chrono>
#include <cstring>

namespace bindery::router::sqlite {
namespace {

constexpr char kListFormat = 1;   // first byte of the tags / segments BLOBs
constexpr char kEventFormat = 1;  // first byte of each record of messages.history

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (in.empty()) return false;
        const auto byte = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}

void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

bool get_string(std::string_view& in, std::string& s) {
    std::uint64_t n = 0;
    if (!get_varint(in, n) || n > in.size()) return false;
    s.assign(in.substr(0, static_cast<std::size_t>(n)));
    in.remove_prefix(static_cast<std::size_t>(n));
    return true;
}

std::string_view column_view(sqlite3_stmt* stmt, int column) {
    const void* p = sqlite3_column_blob(stmt, column);
    const int n = sqlite3_column_bytes(stmt, column);
    if (p == nullptr || n <= 0) return {};
    return {static_cast<const char*>(p), static_cast<std::size_t>(n)};
}

int bind_optional_time(sqlite3_stmt* stmt, int index, const std::optional<SystemTime>& t) {
    return t ? sqlite3_bind_int64(stmt, index, to_nanos(*t)) : sqlite3_bind_null(stmt, index);
}

std::optional<SystemTime> read_optional_time(sqlite3_stmt* stmt, int column) {
    if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
    return from_nanos(sqlite3_column_int64(stmt, column));
}

bool read_u32(sqlite3_stmt* stmt, int column, std::uint32_t& out) {
    const sqlite3_int64 v = sqlite3_column_int64(stmt, column);
    if (v < 0 || v > 0xFFFFFFFFLL) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
}

Unexpected<StoreError> corrupt(std::string_view what, std::string_view id) {
    std::string detail = "unreadable ";
    detail += what;
    if (!id.empty()) {
        detail += " in message ";
        detail += id;
    }
    return Unexpected(StoreError{StoreErrc::corrupt, std::move(detail)});
}

}  // namespace

std::int64_t to_nanos(SystemTime t) noexcept {
    return static_cast<std::int64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

SystemTime from_nanos(std::int64_t ns) noexcept {
    return SystemTime(
        std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(ns)));
}

int bind_id(sqlite3_stmt* stmt, int index, const MessageId& id) noexcept {
    return sqlite3_bind_blob(stmt, index, id.bytes().data(), static_cast<int>(id.bytes().size()),
                             SQLITE_STATIC);
}

int bind_text(sqlite3_stmt* stmt, int index, std::string_view text) noexcept {
    return sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_STATIC);
}

int bind_message(sqlite3_stmt* stmt, const Message& m) noexcept {
    // The list BLOBs are encoded into thread-local buffers that outlive the statement's step
    // (SQLITE_TRANSIENT would copy them again).
    thread_local std::string tags;
    thread_local std::string segments;
    int rc = bind_id(stmt, 1, m.id);
    auto chain = [&rc](int next) {
        if (rc == SQLITE_OK) rc = next;
    };
    chain(bind_text(stmt, 2, m.client));
    chain(bind_text(stmt, 3, m.sender));
    chain(bind_text(stmt, 4, m.destination));
    chain(bind_text(stmt, 5, m.region));
    chain(bind_text(stmt, 6, m.text));
    chain(bind_text(stmt, 7, to_string(m.encoding)));
    chain(sqlite3_bind_int64(stmt, 8, m.segments_estimate));
    chain(bind_text(stmt, 9, to_string(m.priority)));
    if (m.tags.empty()) {
        chain(sqlite3_bind_null(stmt, 10));
    } else {
        tags = encode_tags(m.tags);
        chain(
            sqlite3_bind_blob(stmt, 10, tags.data(), static_cast<int>(tags.size()), SQLITE_STATIC));
    }
    chain(bind_text(stmt, 11, m.client_ref));
    chain(bind_text(stmt, 12, m.callback_url));
    chain(bind_text(stmt, 13, to_string(m.state)));
    chain(sqlite3_bind_int64(stmt, 14, m.attempts));
    chain(bind_text(stmt, 15, m.provider));
    if (m.segments.empty()) {
        chain(sqlite3_bind_null(stmt, 16));
    } else {
        segments = encode_segments(m.segments);
        chain(sqlite3_bind_blob(stmt, 16, segments.data(), static_cast<int>(segments.size()),
                                SQLITE_STATIC));
    }
    chain(bind_text(stmt, 17, m.last_error));
    chain(sqlite3_bind_int64(stmt, 18, to_nanos(m.accepted_at)));
    chain(sqlite3_bind_int64(stmt, 19, to_nanos(m.updated_at)));
    chain(sqlite3_bind_int64(stmt, 20, to_nanos(m.expires_at)));
    chain(bind_optional_time(stmt, 21, m.schedule_at));
    chain(bind_optional_time(stmt, 22, m.next_attempt_at));
    chain(m.forced_encoding ? bind_text(stmt, 23, to_string(*m.forced_encoding))
                            : sqlite3_bind_null(stmt, 23));
    chain(sqlite3_bind_int64(stmt, 24, m.charge));
    return rc;
}

std::string read_text(sqlite3_stmt* stmt, int column) {
    return std::string(column_view(stmt, column));
}

Expected<MessageId, StoreError> read_id(sqlite3_stmt* stmt, int column) {
    const auto bytes = column_view(stmt, column);
    MessageId::Bytes raw{};
    if (bytes.size() != raw.size()) return corrupt("message id", "");
    std::memcpy(raw.data(), bytes.data(), raw.size());
    return MessageId(raw);
}

Expected<Message, StoreError> read_message(sqlite3_stmt* stmt, int c) {
    auto id = read_id(stmt, c);
    if (!id) return Unexpected(std::move(id).error());
    Message m;
    m.id = *id;
    const std::string sid = m.id.to_string();
    m.client = read_text(stmt, c + 1);
    m.sender = read_text(stmt, c + 2);
    m.destination = read_text(stmt, c + 3);
    m.region = read_text(stmt, c + 4);
    m.text = read_text(stmt, c + 5);
    const auto encoding = parse_text_encoding(column_view(stmt, c + 6));
    if (!encoding) return corrupt("encoding", sid);
    m.encoding = *encoding;
    if (!read_u32(stmt, c + 7, m.segments_estimate)) return corrupt("segments_estimate", sid);
    const auto priority = parse_priority(column_view(stmt, c + 8));
    if (!priority) return corrupt("priority", sid);
    m.priority = *priority;
    if (!decode_tags(column_view(stmt, c + 9), m.tags)) return corrupt("tags", sid);
    m.client_ref = read_text(stmt, c + 10);
    m.callback_url = read_text(stmt, c + 11);
    const auto state = parse_message_state(column_view(stmt, c + 12));
    if (!state) return corrupt("state", sid);
    m.state = *state;
    if (!read_u32(stmt, c + 13, m.attempts)) return corrupt("attempts", sid);
    m.provider = read_text(stmt, c + 14);
    if (!decode_segments(column_view(stmt, c + 15), m.segments)) return corrupt("segments", sid);
    m.last_error = read_text(stmt, c + 16);
    m.accepted_at = from_nanos(sqlite3_column_int64(stmt, c + 17));
    m.updated_at = from_nanos(sqlite3_column_int64(stmt, c + 18));
    m.expires_at = from_nanos(sqlite3_column_int64(stmt, c + 19));
    m.schedule_at = read_optional_time(stmt, c + 20);
    m.next_attempt_at = read_optional_time(stmt, c + 21);
    if (sqlite3_column_type(stmt, c + 22) != SQLITE_NULL) {
        const auto forced = parse_text_encoding(column_view(stmt, c + 22));
        if (!forced) return corrupt("forced_encoding", sid);
        m.forced_encoding = *forced;
    }
    m.charge = sqlite3_column_int64(stmt, c + 23);
    if (m.charge < 0) return corrupt("charge", sid);
    return m;
}

Expected<MessageEvent, StoreError> read_event(sqlite3_stmt* stmt, int c) {
    auto id = read_id(stmt, c);
    if (!id) return Unexpected(std::move(id).error());
    MessageEvent e;
    e.id = *id;
    const auto from = parse_message_state(column_view(stmt, c + 1));
    const auto to = parse_message_state(column_view(stmt, c + 2));
    if (!from || !to) return corrupt("event state", e.id.to_string());
    e.from = *from;
    e.to = *to;
    e.at = from_nanos(sqlite3_column_int64(stmt, c + 3));
    if (!read_u32(stmt, c + 4, e.attempt)) return corrupt("event attempt", e.id.to_string());
    e.provider = read_text(stmt, c + 5);
    e.detail = read_text(stmt, c + 6);
    return e;
}

void append_history(std::string& history, const MessageEvent& e) {
    history.push_back(kEventFormat);
    put_varint(history, static_cast<std::uint64_t>(to_nanos(e.at)));
    put_string(history, to_string(e.from));
    put_string(history, to_string(e.to));
    put_varint(history, e.attempt);
    put_string(history, e.provider);
    put_string(history, e.detail);
}

bool decode_history(std::string_view blob, const MessageId& id, std::vector<MessageEvent>& out) {
    std::string name;
    while (!blob.empty()) {
        if (blob.front() != kEventFormat) return false;
        blob.remove_prefix(1);
        MessageEvent e;
        e.id = id;
        std::uint64_t at = 0;
        std::uint64_t attempt = 0;
        if (!get_varint(blob, at)) return false;
        e.at = from_nanos(static_cast<std::int64_t>(at));
        if (!get_string(blob, name)) return false;
        const auto from = parse_message_state(name);
        if (!get_string(blob, name)) return false;
        const auto to = parse_message_state(name);
        if (!from || !to) return false;
        e.from = *from;
        e.to = *to;
        if (!get_varint(blob, attempt) || attempt > 0xFFFFFFFFULL) return false;
        e.attempt = static_cast<std::uint32_t>(attempt);
        if (!get_string(blob, e.provider) || !get_string(blob, e.detail)) return false;
        out.push_back(std::move(e));
    }
    return true;
}

Expected<void, StoreError> read_history(sqlite3_stmt* stmt, int column, const MessageId& id,
                                        std::vector<MessageEvent>& out) {
    if (!decode_history(column_view(stmt, column), id, out))
        return corrupt("history", id.to_string());
    return {};
}

std::string encode_tags(const std::vector<std::string>& tags) {
    std::string out(1, kListFormat);
    put_varint(out, tags.size());
    for (const auto& t : tags) put_string(out, t);
    return out;
}

std::string encode_segments(const std::vector<Segment>& segments) {
    std::string out(1, kListFormat);
    put_varint(out, segments.size());
    for (const auto& s : segments) {
        put_string(out, s.provider_id);
        out.push_back(static_cast<char>(s.state));
        put_string(out, s.error);
    }
    return out;
}

bool decode_tags(std::string_view blob, std::vector<std::string>& out) {
    out.clear();
    if (blob.empty()) return true;  // NULL: no tags
    if (blob.front() != kListFormat) return false;
    blob.remove_prefix(1);
    std::uint64_t n = 0;
    if (!get_varint(blob, n) || n > blob.size()) return false;
    out.resize(static_cast<std::size_t>(n));
    for (auto& t : out) {
        if (!get_string(blob, t)) return false;
    }
    return blob.empty();
}

bool decode_segments(std::string_view blob, std::vector<Segment>& out) {
    out.clear();
    if (blob.empty()) return true;
    if (blob.front() != kListFormat) return false;
    blob.remove_prefix(1);
    std::uint64_t n = 0;
    if (!get_varint(blob, n) || n > blob.size()) return false;
    out.resize(static_cast<std::size_t>(n));
    for (auto& s : out) {
        if (!get_string(blob, s.provider_id) || blob.empty()) return false;
        const auto state = static_cast<std::uint8_t>(blob.front());
        blob.remove_prefix(1);
        if (state > static_cast<std::uint8_t>(SegmentState::rejected)) return false;
        s.state = static_cast<SegmentState>(state);
        if (!get_string(blob, s.error)) return false;
    }
    return blob.empty();
}

}  // namespace bindery::router::sqlite
