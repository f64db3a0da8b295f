#pragma once
// SmppTextPlanner: the router's acceptance-time TextPlanner computed with the same codec and the
// same EncodeOptions as SmppCarrierProvider::send(), so the segments and encoding a client is told
// at acceptance are the ones that go on the wire.

#include <optional>
#include <string>
#include <string_view>

#include "router/core/router.hpp"
#include "smpp/codec/text/segment.hpp"

namespace bindery::router {

// The codec's options for a text, honouring a client's forced encoding.
[[nodiscard]] smpp::EncodeOptions encode_options_for(const smpp::EncodeOptions& base,
                                                     std::optional<TextEncoding> forced) noexcept;
// Router vocabulary for a codec alphabet (nullopt for the decode-only ones: cyrillic, hebrew,
// unsupported).
[[nodiscard]] std::optional<TextEncoding> text_encoding_of(smpp::Alphabet a) noexcept;

class SmppTextPlanner {
public:
    explicit SmppTextPlanner(smpp::EncodeOptions options = {}) : options_(options) {}

    // Thread-safe (pure).
    [[nodiscard]] Expected<TextPlan, std::string> operator()(
        std::string_view utf8, std::optional<TextEncoding> forced) const;
    [[nodiscard]] TextPlanner planner() const { return *this; }
    [[nodiscard]] const smpp::EncodeOptions& options() const noexcept { return options_; }

private:
    smpp::EncodeOptions options_;
};

}  // namespace bindery::router
