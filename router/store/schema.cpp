#include "router/store/schema.hpp"

#include <string>

namespace bindery::router::sqlite {
namespace {

// Times are INTEGER nanoseconds since the Unix epoch (exact round trip of SystemTime); ids are
// the 16 UUIDv7 bytes, so BLOB order is acceptance order; states, priorities and encodings are
// their stable upper/lower-case names so an operator can query the file with sqlite3. tags and
// segments are small length-prefixed BLOBs (row_codec.cpp); segment provider ids are also in
// provider_ids, one row per segment under its canonical key (provider_id_key; before 2026-11-24
// one row per reading of it, provider_id_keys: old rows stay valid).
constexpr Migration kMigrations[] = {
    {1, "messages, events, provider ids",
     R"sql(
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
);
CREATE TABLE messages (
    id                BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    client            TEXT NOT NULL,
    sender            TEXT NOT NULL,
    destination       TEXT NOT NULL,
    region            TEXT NOT NULL,
    text              TEXT NOT NULL,
    encoding          TEXT NOT NULL,
    segments_estimate INTEGER NOT NULL,
    priority          TEXT NOT NULL,
    tags              BLOB,
    client_ref        TEXT NOT NULL,
    callback_url      TEXT NOT NULL,
    state             TEXT NOT NULL,
    attempts          INTEGER NOT NULL,
    provider          TEXT NOT NULL,
    segments          BLOB,
    last_error        TEXT NOT NULL,
    accepted_at       INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    schedule_at       INTEGER,
    next_attempt_at   INTEGER
) WITHOUT ROWID;
CREATE INDEX messages_state ON messages(state);
CREATE INDEX messages_client ON messages(client);
CREATE INDEX messages_client_ref ON messages(client_ref) WHERE client_ref <> '';
CREATE INDEX messages_destination ON messages(destination);
CREATE INDEX messages_accepted ON messages(accepted_at);
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    message_id BLOB NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at         INTEGER NOT NULL,
    attempt    INTEGER NOT NULL,
    provider   TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX events_message ON events(message_id);
CREATE TABLE provider_ids (
    provider   TEXT NOT NULL,
    key        TEXT NOT NULL,
    message_id BLOB NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    segment    INTEGER NOT NULL,
    PRIMARY KEY (provider, key)
) WITHOUT ROWID;
CREATE INDEX provider_ids_message ON provider_ids(message_id);
)sql"},
    {2, "retention and retry indexes",
     R"sql(
CREATE INDEX messages_finished ON messages(updated_at)
    WHERE state IN ('DELIVERED', 'UNDELIVERABLE', 'EXPIRED', 'REJECTED', 'FAILED_PERM', 'DEAD_LETTER');
CREATE INDEX messages_retry ON messages(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
)sql"},
    // Delivery callbacks waiting for (another) attempt, and completed Idempotency-Key responses
    // (http-frontend; router/store/sqlite_callbacks.cpp, sqlite_idempotency.cpp). No foreign key
    // from callbacks to messages: purging a message must not be blocked by its callback.
    {3, "delivery callbacks, idempotency keys",
     R"sql(
CREATE TABLE callbacks (
    seq             INTEGER PRIMARY KEY,
    message_id      BLOB NOT NULL CHECK (length(message_id) = 16),
    client          TEXT NOT NULL,
    state           TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL
);
CREATE INDEX callbacks_due ON callbacks(next_attempt_at);
CREATE TABLE idempotency_keys (
    client       TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (client, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency_keys(created_at);
)sql"},
    // Message::forced_encoding (the client's encoding choice, passed to the provider on every
    // attempt, also after a restart). NULL: the provider chooses.
    {4, "forced encoding",
     R"sql(
ALTER TABLE messages ADD COLUMN forced_encoding TEXT;
)sql"},
    // The Alertmanager receiver (router/store/sqlite_alerts.cpp): one row per webhook with the
    // messages it produced, the dedup lookup (dedup_key of sent notifications within a window),
    // and the directory cache (last answer per directory and group; members as "phone\tname"
    // lines).
    {5, "alert notifications, directory cache",
     R"sql(
CREATE TABLE alert_notifications (
    id           BLOB PRIMARY KEY NOT NULL CHECK (length(id) = 16),
    received_at  INTEGER NOT NULL,
    receiver     TEXT NOT NULL,
    status       TEXT NOT NULL,
    group_key    TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    client       TEXT NOT NULL,
    firing       INTEGER NOT NULL,
    resolved     INTEGER NOT NULL,
    truncated    INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    duplicate_of BLOB,
    text         TEXT NOT NULL,
    notes        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX alert_notifications_sent ON alert_notifications(dedup_key, received_at) WHERE outcome = 'sent';
CREATE INDEX alert_notifications_received ON alert_notifications(received_at);
CREATE TABLE alert_messages (
    alert_id    BLOB NOT NULL REFERENCES alert_notifications(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    recipient   TEXT NOT NULL,
    destination TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (alert_id, seq)
) WITHOUT ROWID;
CREATE TABLE directory_cache (
    directory  TEXT NOT NULL,
    grp        TEXT NOT NULL,
    members    TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (directory, grp)
) WITHOUT ROWID;
)sql"},
    // Credits (router/core/credits.hpp, docs/credits.md): a message's charge (segments x price,
    // fixed at acceptance) and its open hold (0 once captured or released; the capture mode
    // recorded with the hold), one account per metered client, and the append-only ledger. Every
    // move is written in the transaction of the state change it belongs to. The ledger has no
    // foreign key to messages: purging a message keeps its money history.
    {6, "credit accounts and ledger",
     R"sql(
ALTER TABLE messages ADD COLUMN charge INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN credit_held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN credit_capture TEXT NOT NULL DEFAULT '';
CREATE TABLE credit_accounts (
    client     TEXT PRIMARY KEY NOT NULL,
    balance    INTEGER NOT NULL CHECK (balance >= 0),
    held       INTEGER NOT NULL CHECK (held >= 0),
    capture    TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE credit_ledger (
    seq        INTEGER PRIMARY KEY,
    client     TEXT NOT NULL,
    message_id BLOB,
    kind       TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    note       TEXT NOT NULL
);
CREATE INDEX credit_ledger_client ON credit_ledger(client, seq);
CREATE INDEX credit_ledger_message ON credit_ledger(message_id) WHERE message_id IS NOT NULL;
)sql"},
    // API clients managed with `bindery client add|list|revoke|rotate-key`
    // (router/store/sqlite_clients.cpp), beside those of the configuration file. The key is kept
    // as its SHA-256 digest only; a revoked client keeps its row (its name stays taken).
    // allowed_senders: one sender per line, empty for any.
    {7, "api clients",
     R"sql(
CREATE TABLE api_clients (
    name            TEXT PRIMARY KEY NOT NULL,
    key_sha256      BLOB NOT NULL UNIQUE CHECK (length(key_sha256) = 32),
    allowed_senders TEXT NOT NULL,
    rate            REAL NOT NULL,
    burst           REAL NOT NULL,
    callback_url    TEXT NOT NULL,
    callback_secret TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    key_rotated_at  INTEGER,
    revoked_at      INTEGER
) WITHOUT ROWID;
)sql"},
    // Operator decisions that outlive the process (router/store/sqlite_operator_state.cpp): the
    // carriers paused with `bindery bind pause`, and which dead letter was retried as which new
    // message (`bindery dlq retry` sends one copy, also when run again after a restart).
    {8, "carrier pauses, dead-letter retries",
     R"sql(
CREATE TABLE carrier_pauses (
    carrier   TEXT PRIMARY KEY NOT NULL,
    paused_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE dlq_retries (
    dead_letter BLOB PRIMARY KEY NOT NULL CHECK (length(dead_letter) = 16),
    new_id      BLOB NOT NULL CHECK (length(new_id) = 16),
    retried_at  INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // Parts of concatenated submits the SMPP server side holds until the last one arrives
    // (router/store/sqlite_parts.cpp, app/smpp_concat.cpp), and which part id went into which
    // combined message (receipts name the part ids; query_sm may ask for one). AUTOINCREMENT:
    // a group id is never reused. reference_kind is the front end's (8-bit UDH, 16-bit UDH, SAR).
    {10, "held message parts, part links",
     R"sql(
CREATE TABLE held_groups (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account        TEXT NOT NULL,
    source         TEXT NOT NULL,
    destination    TEXT NOT NULL,
    reference_kind INTEGER NOT NULL,
    reference      INTEGER NOT NULL,
    total          INTEGER NOT NULL CHECK (total BETWEEN 1 AND 255),
    envelope       BLOB NOT NULL,
    first_at       INTEGER NOT NULL,
    complete       INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE held_parts (
    group_id    INTEGER NOT NULL REFERENCES held_groups(id) ON DELETE CASCADE,
    seqnum      INTEGER NOT NULL CHECK (seqnum BETWEEN 1 AND 255),
    part_id     BLOB NOT NULL UNIQUE CHECK (length(part_id) = 16),
    data_coding INTEGER NOT NULL,
    data        BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (group_id, seqnum)
) WITHOUT ROWID;
CREATE TABLE part_links (
    part_id    BLOB PRIMARY KEY NOT NULL CHECK (length(part_id) = 16),
    message_id BLOB NOT NULL CHECK (length(message_id) = 16),
    linked_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX part_links_linked_at ON part_links(linked_at);
)sql"},
    // Deliveries to the SMPP server side's accounts waiting for a receiver bind or a retry
    // (router/store/sqlite_smpp_outbox.cpp): delivery receipts of messages ESMEs submitted and
    // MO messages routed to an account; `pdu` is the deliver_sm body as the front end encoded it.
    // No foreign key to messages (purging a message must not be blocked by its receipt).
    // smpp_outbox_marks: the receipt scan's watermark (docs/smpp-net.md, "Durable deliveries").
    {11, "smpp server deliveries",
     R"sql(
CREATE TABLE smpp_outbox (
    seq              INTEGER PRIMARY KEY,
    account          TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('receipt', 'mo')),
    message_id       BLOB CHECK (message_id IS NULL OR length(message_id) = 16),
    state            TEXT NOT NULL,
    source_addr      TEXT NOT NULL,
    destination_addr TEXT NOT NULL,
    pdu              BLOB NOT NULL,
    attempts         INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    last_error       TEXT NOT NULL,
    receipt_id       TEXT NOT NULL
);
CREATE INDEX smpp_outbox_account ON smpp_outbox(account, seq);
CREATE INDEX smpp_outbox_expiry ON smpp_outbox(expires_at);
CREATE INDEX smpp_outbox_message ON smpp_outbox(message_id) WHERE message_id IS NOT NULL;
CREATE TABLE smpp_outbox_marks (
    name TEXT PRIMARY KEY NOT NULL,
    at   INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // CANCELLED is final (it came after migration 2): the index of final messages includes it, so
    // purge and the SMPP receipt scan see cancelled messages through it.
    {12, "cancelled messages in the index of final messages",
     R"sql(
DROP INDEX messages_finished;
CREATE INDEX messages_finished ON messages(updated_at)
    WHERE state IN ('DELIVERED', 'UNDELIVERABLE', 'EXPIRED', 'REJECTED', 'FAILED_PERM', 'DEAD_LETTER', 'CANCELLED');
)sql"},
    // The same index with its condition as an OR of equalities: an IN-list made SQLite build a
    // temporary b-tree for every write of a message (see kFinalStatesWhere in schema.hpp).
    {13, "index of final messages without an IN-list",
     R"sql(
DROP INDEX messages_finished;
CREATE INDEX messages_finished ON messages(updated_at)
    WHERE (state = 'DELIVERED' OR state = 'UNDELIVERABLE' OR state = 'EXPIRED' OR state = 'REJECTED' OR state = 'FAILED_PERM' OR state = 'DEAD_LETTER' OR state = 'CANCELLED');
)sql"},
    // The message's own events (acceptance and every transition) in its row: appended by the
    // statement that changes the message (row_codec.cpp, append_history), instead of a row of
    // events and an entry of events_message each (a quarter of the writer's b-tree writes and
    // 40% of the file). events keeps what was written before this version and the events other
    // tables' writers add (callback outcomes, SMPP receipt deliveries); SqliteStore::events merges
    // both by time.
    {14, "message history in the message row",
     R"sql(
ALTER TABLE messages ADD COLUMN history BLOB;
)sql"},
};

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

int latest_version() noexcept { return kMigrations[std::size(kMigrations) - 1].version; }

Expected<int, StoreError> migrate(Connection& conn, int target) {
    const int latest = latest_version();
    if (target <= 0 || target > latest) target = latest;
    auto current = conn.query_int("PRAGMA user_version", "read schema version");
    if (!current) return Unexpected(std::move(current).error());
    if (*current > latest) {
        return Unexpected(StoreError{StoreErrc::unavailable,
                                     "open: database schema version " + std::to_string(*current) +
                                         " is newer than this build knows (" +
                                         std::to_string(latest) + "): " + conn.path()});
    }
    int version = static_cast<int>(*current);
    for (const auto& step : kMigrations) {
        if (step.version <= version || step.version > target) continue;
        const std::string what =
            "migration " + std::to_string(step.version) + " (" + step.description + ")";
        if (auto r = conn.exec("BEGIN IMMEDIATE", what); !r) return Unexpected(r.error());
        auto fail = [&](StoreError e) -> Expected<int, StoreError> {
            (void)conn.exec("ROLLBACK", what);
            return Unexpected(std::move(e));
        };
        // Re-read under the write lock: another process may have migrated meanwhile.
        auto now_at = conn.query_int("PRAGMA user_version", what);
        if (!now_at) return fail(now_at.error());
        if (*now_at >= step.version) {
            (void)conn.exec("ROLLBACK", what);
            version = static_cast<int>(*now_at);
            continue;
        }
        if (auto r = conn.exec(step.sql, what); !r) return fail(r.error());
        const std::string record =
            "INSERT INTO schema_migrations(version, description, applied_at) VALUES(" +
            std::to_string(step.version) + ", '" + step.description +
            "', CAST(strftime('%s','now') AS INTEGER));"
            "PRAGMA user_version = " +
            std::to_string(step.version) + ";";
        if (auto r = conn.exec(record.c_str(), what); !r) return fail(r.error());
        if (auto r = conn.exec("COMMIT", what); !r) return fail(r.error());
        version = step.version;
    }
    return version;
}

}  // namespace bindery::router::sqlite
