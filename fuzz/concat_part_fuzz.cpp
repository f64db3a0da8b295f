// concat_part(): what a submit's text fields say about concatenation (UDH IE 0x00/0x08, SAR TLVs),
// on arbitrary bytes. Byte 0: esm_class; byte 1: data_coding; byte 2: n, the length of
// short_message (capped to what is left); the rest after short_message is the TLV wire area.
// Never crashes; a part it returns has 1 <= seqnum <= total and user data inside the input.
#include "smpp/codec/concat_part.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

using namespace bindery::smpp;

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint8_t esm_class = data[0];
    const std::uint8_t data_coding = data[1];
    std::span<const std::uint8_t> rest(data + 3, size - 3);
    const std::size_t n = data[2] < rest.size() ? data[2] : rest.size();
    const ByteView short_message(rest.first(n));
    const TlvRange tlvs{ByteView(rest.subspan(n))};
    auto part = concat_part(data_coding, esm_class, short_message, tlvs);
    if (!part) {
        const auto s = part.error();
        check(s == CommandStatus::ESME_RINVESMCLASS || s == CommandStatus::ESME_RINVOPTPARAMVAL ||
              s == CommandStatus::ESME_RMISSINGOPTPARAM || s == CommandStatus::ESME_RINVPARLEN);
        return 0;
    }
    if (!*part) return 0;
    const auto& p = **part;
    check(p.ref.total >= 1 && p.ref.seqnum >= 1 && p.ref.seqnum <= p.ref.total);
    check(p.data_coding == data_coding);
    check(p.user_data.size() <= size);
    if (p.ref.kind == ConcatRefKind::udh8) check(p.ref.reference <= 0xFF);
    return 0;
}
