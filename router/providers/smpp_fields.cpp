#include "router/providers/smpp_fields.hpp"

#include <chrono>
#include <cstdio>

#include "router/core/receipts.hpp"
#include "smpp/codec/receipt/receipt.hpp"

namespace bindery::router {
namespace {

bool all_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string two(long v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02ld", v);
    return buf;
}

ReceiptStatus map_state(smpp::MessageState s) noexcept {
    using smpp::MessageState;
    switch (s) {
        case MessageState::scheduled:
        case MessageState::enroute: return ReceiptStatus::enroute;
        case MessageState::delivered: return ReceiptStatus::delivered;
        case MessageState::expired: return ReceiptStatus::expired;
        case MessageState::deleted: return ReceiptStatus::deleted;
        case MessageState::undeliverable: return ReceiptStatus::undeliverable;
        case MessageState::accepted: return ReceiptStatus::accepted;
        case MessageState::unknown: return ReceiptStatus::unknown;
        case MessageState::rejected: return ReceiptStatus::rejected;
        case MessageState::skipped: return ReceiptStatus::rejected;  // 5.0: not sent, final
    }
    return ReceiptStatus::unknown;
}

}  // namespace

SmppAddress source_address(std::string_view sender, const AddressRules& rules) {
    SmppAddress a;
    const bool plus = !sender.empty() && sender.front() == '+';
    const auto digits = plus ? sender.substr(1) : sender;
    if (!all_digits(digits)) {
        a.ton = rules.alphanumeric_ton;
        a.npi = rules.alphanumeric_npi;
        a.addr = std::string(sender);
    } else if (!plus && rules.short_code_max_digits > 0 &&
               digits.size() <= rules.short_code_max_digits) {
        a.ton = rules.short_code_ton;
        a.npi = rules.short_code_npi;
        a.addr = std::string(digits);
    } else {
        a.ton = rules.international_ton;
        a.npi = rules.international_npi;
        a.addr = std::string(rules.keep_plus && plus ? sender : digits);
    }
    if (rules.force_source_ton) a.ton = *rules.force_source_ton;
    if (rules.force_source_npi) a.npi = *rules.force_source_npi;
    return a;
}

SmppAddress destination_address(std::string_view e164, const AddressRules& rules) {
    SmppAddress a;
    const bool plus = !e164.empty() && e164.front() == '+';
    a.ton = rules.international_ton;
    a.npi = rules.international_npi;
    a.addr = std::string(rules.keep_plus || !plus ? e164 : e164.substr(1));
    if (rules.force_dest_ton) a.ton = *rules.force_dest_ton;
    if (rules.force_dest_npi) a.npi = *rules.force_dest_npi;
    return a;
}

std::string validity_period(SystemTime expires_at, SystemTime now, ValidityFormat format) {
    using namespace std::chrono;
    if (format == ValidityFormat::none || expires_at == SystemTime{}) return {};
    if (format == ValidityFormat::relative) {
        long total = static_cast<long>(duration_cast<seconds>(expires_at - now).count());
        if (total < 1) total = 1;
        long days = total / 86400;
        const long rest = total % 86400;
        long months = 0, years = 0;
        if (days >
            99) {  // DD is two digits: spill into 30-day months, then years (SMSC arithmetic)
            months = days / 30;
            days %= 30;
            years = months / 12;
            months %= 12;
            if (years > 99) years = 99;
        }
        return two(years) + two(months) + two(days) + two(rest / 3600) + two((rest % 3600) / 60) +
               two(rest % 60) + "000R";
    }
    const auto secs = floor<seconds>(expires_at);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    return two(static_cast<int>(ymd.year()) % 100) +
           two(static_cast<long>(static_cast<unsigned>(ymd.month()))) +
           two(static_cast<long>(static_cast<unsigned>(ymd.day()))) + two(hms.hours().count()) +
           two(hms.minutes().count()) + two(static_cast<long>(hms.seconds().count())) + "000+";
}

Expected<Receipt, std::string> map_receipt(std::string_view provider, std::string_view text,
                                           const smpp::ReceiptTlvs& tlvs,
                                           std::chrono::minutes utc_offset) {
    auto parsed = smpp::parse_receipt(text, tlvs);
    if (!parsed) return Unexpected(std::string(smpp::to_string(parsed.error().code)));
    Receipt r;
    r.provider = std::string(provider);
    r.provider_id = parsed->id;
    r.status = map_state(parsed->state);
    if (!parsed->err.empty()) {
        r.error = parsed->err;
    } else if (parsed->network_error && parsed->network_error->error_code != 0) {
        r.error = std::to_string(parsed->network_error->error_code);
    }
    if (parsed->done_date) {
        using namespace std::chrono;
        const auto& d = *parsed->done_date;
        const year_month_day ymd{year{d.year}, month{d.month}, day{d.day}};
        if (ymd.ok()) {
            const auto t = sys_days{ymd} + hours{d.hour} + minutes{d.minute} +
                           seconds{d.second.value_or(0)} - utc_offset;
            r.done_at = time_point_cast<SystemClock::duration>(t);
        }
    }
    return r;
}

void apply_message_id_format(Receipt& receipt, MessageIdFormat format) {
    if (format == MessageIdFormat::automatic) {
        receipt.id_match = ReceiptIdMatch::any_reading;
        return;
    }
    receipt.id_match = ReceiptIdMatch::exact;
    std::optional<std::string> converted;
    if (format == MessageIdFormat::hex) converted = rebase_provider_id(receipt.provider_id, 10, 16);
    if (format == MessageIdFormat::decimal)
        converted = rebase_provider_id(receipt.provider_id, 16, 10);
    if (converted) receipt.provider_id = std::move(*converted);
}

}  // namespace bindery::router
