#pragma once
// Parts of multi-part submits that a front end holds until the last one arrives (the SMPP server
// side's concatenated submit_sm, app/smpp_concat.hpp). The store knows no wire format: a group is
// a key the front end chose, an opaque envelope (the fields common to the parts) and parts of
// opaque user data. Every call commits before it returns, so a part the front end acknowledged
// after add()/create() survives a crash. Once the combined message was accepted, finish() swaps
// the group for one link per part id -> the message id, in one transaction. The SQLite
// implementation is router/store/sqlite_parts.hpp. Thread-safe; never throws.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "router/api/types.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::router {

struct HeldPart {
    std::uint8_t seqnum = 0;  // 1-based
    MessageId id;             // the id the front end answered this part with
    std::uint8_t data_coding = 0;
    std::string data;  // user data, opaque bytes
    SystemTime received_at{};
};

struct HeldGroup {
    std::int64_t id = 0;  // assigned by create()
    std::string account;
    std::string source;
    std::string destination;
    std::uint8_t reference_kind = 0;  // the front end's namespace of references
    std::uint16_t reference = 0;
    std::uint8_t total = 0;  // 1-255
    std::string envelope;    // the front end's encoding of the common fields
    SystemTime first_at{};
    bool complete = false;        // every part held: the combined message is due
    std::vector<HeldPart> parts;  // ascending seqnum
};

class PartStore {
public:
    virtual ~PartStore() = default;
    // Every group held, with its parts, by ascending id (recovery after a restart).
    virtual Expected<std::vector<HeldGroup>, std::string> load() = 0;
    // Stores a new group with its parts (usually the first one); returns the group id.
    virtual Expected<std::int64_t, std::string> create(const HeldGroup& group) = 0;
    // Adds a part to a group; `complete` marks the group complete in the same transaction.
    virtual Expected<void, std::string> add(std::int64_t group, const HeldPart& part,
                                            bool complete) = 0;
    // The combined message of a group was accepted as `message`: deletes the group and its parts
    // and links each part id to `message` (one transaction).
    virtual Expected<void, std::string> finish(std::int64_t group, const MessageId& message,
                                               SystemTime at) = 0;
    // Deletes a group and its parts (timed out, refused by the router).
    virtual Expected<void, std::string> drop(std::int64_t group) = 0;
    // The message a part id was combined into (nullopt: unknown part id or link purged).
    virtual Expected<std::optional<MessageId>, std::string> message_of(const MessageId& part) = 0;
    // Deletes links made before `before`; the number deleted.
    virtual Expected<std::uint64_t, std::string> purge_links(SystemTime before) = 0;
};

}  // namespace bindery::router
