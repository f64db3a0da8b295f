// What bindery-loadgen --callbacks reads from a gateway: callback bodies, X-Bindery-Event-Id,
// X-Bindery-Signature and the ids of a 202 answer. Never crash; ids read back as they were
// written; a 202 that does not parse leaves the id list as it was.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tools/loadgen/callback_event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bindery::loadgen;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (const auto f = parse_callback_body(text)) {
        if (parse_message_key(to_string(f->id)) != f->id) std::abort();
    }
    if (const auto e = parse_event_id(text)) {
        if (parse_message_key(to_string(e->id)) != e->id) std::abort();
    }
    std::vector<MessageKey> ids(1);
    const bool ok = parse_accepted_ids(text, ids);
    if (ids.empty() || (!ok && ids.size() != 1)) std::abort();
    for (const auto& k : ids) {
        if (parse_message_key(to_string(k)) != k) std::abort();
    }

    // "<signature header>\n<body>"
    const auto nl = text.find('\n');
    const auto header = text.substr(0, nl);
    const auto body = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    std::string scratch;
    const auto check = verify_signature("whsec-fuzz", header, body, 1'789'000'000, scratch);
    if (header.empty() != (check == SignatureCheck::missing)) std::abort();
    return 0;
}
