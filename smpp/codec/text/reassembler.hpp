#pragma once
// Reassembly of concatenated incoming messages (MO deliver_sm / data_sm) from UDH (IE 0x00/0x08) or
// SAR TLV values. Driven from outside: no clock reads (`now` is passed in), no threads. Memory is
// bounded: at most `max_pending_messages` incomplete messages and `max_pending_parts` stored parts;
// past that the oldest message is evicted and handed back with the reason.
//
// Parts carry user data with the UDH removed. For packed GSM 7-bit, unpack each part first
// (unpack_septets with Udh::fill_bits()) and decode the joined septets as unpacked: escape
// sequences and surrogate pairs split across parts by a sender then still decode.

#include "smpp/base/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace bindery::smpp {

struct ReassemblyLimits {
    Duration timeout = std::chrono::minutes(5);  // from the first part of a message
    std::size_t max_pending_messages = 1024;
    std::size_t max_pending_parts = 8192;  // raised to 255 if lower (one message must fit)
    // Octets of user data held; a part that alone exceeds it is refused (PartStatus::too_large).
    std::size_t max_pending_bytes = std::size_t{4} * 1024 * 1024;
};

// Which header numbered a part: references of different kinds never join.
enum class ConcatRefKind : std::uint8_t { udh8 = 0, udh16 = 1, sar = 2 };

// Parts join when all of these agree. A sender's 8-bit UDH, 16-bit UDH and SAR references are
// separate counters, so the kind is part of the key. `total` is too when the caller sets it: two
// messages that reuse a reference with different part counts then reassemble apart; left 0, a
// part announcing another total than the pending message's supersedes it (DropReason::superseded).
struct ConcatKey {
    std::string source_addr;
    std::string destination_addr;
    std::uint16_t reference = 0;
    ConcatRefKind kind = ConcatRefKind::udh8;
    std::uint8_t total = 0;
    friend bool operator==(const ConcatKey&, const ConcatKey&) = default;
    friend bool operator<(const ConcatKey& a, const ConcatKey& b) {
        return std::tie(a.source_addr, a.destination_addr, a.reference, a.kind, a.total) <
               std::tie(b.source_addr, b.destination_addr, b.reference, b.kind, b.total);
    }
};

struct ConcatPart {
    ConcatKey key;
    std::uint8_t total = 0;   // 1-255
    std::uint8_t seqnum = 0;  // 1-based
    std::uint8_t data_coding = 0;
    std::vector<std::uint8_t> user_data;  // UDH removed
};

struct CompleteMessage {
    ConcatKey key;
    std::uint8_t data_coding = 0;  // of the first part received
    std::uint8_t total = 0;
    std::vector<std::uint8_t> user_data;  // parts joined in sequence order
};

enum class DropReason : std::uint8_t {
    timed_out,         // take_expired: timeout passed since the first part
    evicted_messages,  // max_pending_messages reached, oldest dropped
    evicted_parts,     // max_pending_parts reached, oldest dropped
    evicted_bytes,     // max_pending_bytes reached, oldest dropped
    superseded,        // a part with the same key announced another total (reference reused)
    drained,           // drain()
};

[[nodiscard]] std::string_view to_string(DropReason r) noexcept;

struct IncompleteMessage {
    ConcatKey key;
    std::uint8_t data_coding = 0;
    std::uint8_t total = 0;
    std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>>
        parts;  // (seqnum, data), ordered
    TimePoint first_seen{};
    DropReason reason = DropReason::timed_out;
};

enum class PartStatus : std::uint8_t {
    stored,     // waiting for more parts
    completed,  // this part completed the message (AddResult::message)
    duplicate,  // seqnum already held: ignored
    invalid,    // total 0, seqnum 0 or seqnum > total: ignored
    too_large,  // the part alone is over max_pending_bytes: ignored
};

struct AddResult {
    PartStatus status = PartStatus::stored;
    std::optional<CompleteMessage> message;
    std::vector<IncompleteMessage> dropped;  // evicted or superseded by this call
};

class Reassembler {
public:
    explicit Reassembler(ReassemblyLimits limits = {});

    AddResult add(ConcatPart part, TimePoint now);
    // Incomplete messages whose first part is at least `timeout` old.
    std::vector<IncompleteMessage> take_expired(TimePoint now);
    // Everything pending (e.g. on shutdown), reason drained.
    std::vector<IncompleteMessage> drain();

    [[nodiscard]] std::size_t pending_messages() const noexcept { return pending_.size(); }
    [[nodiscard]] std::size_t pending_parts() const noexcept { return parts_; }
    [[nodiscard]] std::size_t pending_bytes() const noexcept { return bytes_; }
    [[nodiscard]] std::optional<TimePoint> next_deadline() const noexcept;

private:
    struct Pending {
        std::uint8_t data_coding = 0;
        std::uint8_t total = 0;
        std::size_t received = 0;
        std::size_t bytes = 0;
        std::vector<std::optional<std::vector<std::uint8_t>>> parts;
        TimePoint first_seen{};
        std::list<ConcatKey>::iterator age;
    };
    using Map = std::map<ConcatKey, Pending>;

    IncompleteMessage release(Map::iterator it, DropReason reason);

    ReassemblyLimits limits_;
    Map pending_;
    std::list<ConcatKey> age_;  // arrival order of first parts, oldest first
    std::size_t parts_ = 0;
    std::size_t bytes_ = 0;
};

}  // namespace bindery::smpp
