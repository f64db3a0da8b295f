#include "http-frontend/bulk_handler.hpp"

#include <set>

#include <nlohmann/json.hpp>

namespace bindery::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_json(const ApiError& e) {
    json j = {{"code", e.code}, {"message", e.message}};
    if (!e.field.empty()) j["field"] = e.field;
    return j;
}

std::size_t code_points(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (const char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    return n;
}

bool json_content_type(std::string_view ct) {
    const auto semi = ct.find(';');
    std::string base(ct.substr(0, semi));
    while (!base.empty() && base.back() == ' ') base.pop_back();
    std::transform(base.begin(), base.end(), base.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return base == "application/json";
}

unsigned gateway_status(router::SubmitErrc e) {
    switch (e) {
        case router::SubmitErrc::invalid_request: return 400;
        case router::SubmitErrc::backlog_full: return 429;
        case router::SubmitErrc::unavailable: return 503;
        case router::SubmitErrc::insufficient_credit: return 402;
        default: return 422;
    }
}

struct RowResult {
    std::size_t row = 0;
    std::string to;
    std::optional<router::SubmitAccepted> accepted;
    std::optional<ApiError> error;
};

}  // namespace

Response send_bulk(const Request& req, const ClientInfo& client, const ApiConfig& config,
                   const BulkLimits& limits, const ApiDeps& deps,
                   std::vector<router::MessageId>* accepted_ids) {
    const unsigned v = req.version();
    const bool ka = req.keep_alive();
    const auto fail = [&](const ApiError& e) {
        deps.metrics.message_rejected(e.code);
        return ApiHandler::error_response(e, v, ka);
    };
    const auto ct = sv(req[bhttp::field::content_type]);
    if (!ct.empty() && !json_content_type(ct)) {
        return ApiHandler::error_response(
            {415, "unsupported_media_type", "Content-Type must be application/json", "", {}}, v,
            ka);
    }
    json doc = json::parse(req.body().begin(), req.body().end(), nullptr, false);
    if (doc.is_discarded())
        return fail(bad_request("malformed_json", "body is not valid JSON (UTF-8)"));
    if (!doc.is_object()) {
        return fail(bad_request("invalid_type",
                                std::string("body must be a JSON object, got ") + doc.type_name()));
    }
    std::string template_text;
    std::string csv_text;
    json shared = json::object();
    for (auto& [key, value] : doc.items()) {
        if (key == "template" || key == "csv") {
            if (value.is_null()) continue;
            if (!value.is_string()) {
                return fail(bad_request("invalid_type",
                                        key + " must be a string, got " + value.type_name(), key));
            }
            (key == "template" ? template_text : csv_text) = value.get<std::string>();
        } else if (key == "to" || key == "text") {
            return fail(unprocessable("unknown_field",
                                      "'" + key +
                                          "' is not a bulk member (recipients come from the csv, "
                                          "the text from the template)",
                                      key));
        } else {
            shared[key] = value;  // checked by the single-send parser below
        }
    }
    if (template_text.empty())
        return fail(unprocessable("missing_field", "template is required", "template"));
    if (csv_text.empty()) return fail(unprocessable("missing_field", "csv is required", "csv"));

    // The shared members go through the single-send parser (same rules, same errors), with a
    // stand-in recipient and text.
    shared["to"] = "+10000000000";
    shared["text"] = "-";
    auto proto = parse_submit(dump(shared), client.name, config.submit, router::SystemClock::now(),
                              client.default_sender);
    if (!proto) return fail(proto.error());
    const router::SubmitRequest base = proto->requests.front();
    if (!client.sender_allowed(base.sender)) {
        return fail({403,
                     "sender_not_allowed",
                     "this client may not send from '" + base.sender + "'",
                     "from",
                     {}});
    }

    std::string template_error;
    auto tmpl = MessageTemplate::parse(template_text, template_error);
    if (!tmpl) return fail(unprocessable("invalid_template", template_error, "template"));

    const auto parsed = parse_csv(csv_text, limits.csv);
    if (parsed.too_many_rows) {
        return fail(unprocessable(
            "too_many_rows", "at most " + std::to_string(limits.csv.max_rows) + " rows per request",
            "csv"));
    }
    if (parsed.error) {
        return fail(unprocessable(
            "invalid_csv",
            "line " + std::to_string(parsed.error->line) + ": " + parsed.error->message, "csv"));
    }
    const CsvTable& table = *parsed.table;
    const auto phone = find_column(table.header, "phone");
    if (!phone)
        return fail(unprocessable("missing_column", "the CSV header has no 'phone' column", "csv"));
    if (auto missing = tmpl->bind(table.header)) {
        return fail(unprocessable(
            "unknown_template_field",
            "the template uses {{" + *missing + "}} but the CSV has no such column", "template"));
    }
    if (table.rows.empty())
        return fail(unprocessable("missing_field", "the CSV has no data rows", "csv"));

    // Per-row checks.
    std::vector<RowResult> results(table.rows.size());
    std::vector<router::SubmitRequest> batch;
    std::vector<std::size_t> batch_rows;  // index into results
    std::set<std::string> seen;
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const auto& rec = table.rows[i];
        auto& res = results[i];
        res.row = rec.line;
        const std::string field = "csv[" + std::to_string(rec.line) + "]";
        if (*phone < rec.fields.size()) {
            std::string_view p = rec.fields[*phone];
            while (!p.empty() && (p.front() == ' ' || p.front() == '\t')) p.remove_prefix(1);
            while (!p.empty() && (p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
            res.to = std::string(p);
        }
        if (rec.fields.size() != table.header.size()) {
            res.error =
                unprocessable("wrong_field_count",
                              std::to_string(rec.fields.size()) + " fields, the header has " +
                                  std::to_string(table.header.size()),
                              field);
            continue;
        }
        if (res.to.empty()) {
            res.error = unprocessable("missing_field", "phone is empty", field + ".phone");
            continue;
        }
        if (!is_plausible_msisdn(res.to)) {
            res.error = unprocessable(
                "invalid_destination",
                "not a phone number in international form (+ or 00, then 6 to 15 digits)",
                field + ".phone");
            continue;
        }
        if (!seen.insert(res.to).second) {
            res.error = unprocessable("duplicate_destination",
                                      "the same number is on an earlier row", field + ".phone");
            continue;
        }
        std::string missing;
        auto text = tmpl->render(rec.fields, missing);
        if (!text) {
            res.error = unprocessable("missing_field", "'" + missing + "' is empty on this row",
                                      field + "." + missing);
            continue;
        }
        if (code_points(*text) > config.submit.max_text_chars) {
            res.error =
                unprocessable("text_too_long",
                              "the text for this row is longer than " +
                                  std::to_string(config.submit.max_text_chars) + " characters",
                              field);
            continue;
        }
        router::SubmitRequest r = base;
        r.destination = res.to;
        r.text = std::move(*text);
        batch.push_back(std::move(r));
        batch_rows.push_back(i);
    }

    if (!batch.empty()) {
        const auto bp = deps.gateway.backpressure();
        if (!bp.accepting) {
            deps.metrics.message_rejected("backlog_full", static_cast<double>(batch.size()));
            return ApiHandler::error_response(
                {429, "backlog_full", "the gateway's backlog is full; retry later", "",
                 config.backlog_retry_after},
                v, ka);
        }
    }
    const std::size_t chunk = std::max<std::size_t>(1, limits.submit_chunk);
    for (std::size_t start = 0; start < batch.size(); start += chunk) {
        const std::size_t n = std::min(chunk, batch.size() - start);
        const auto outcomes = deps.gateway.submit(std::span(batch).subspan(start, n));
        for (std::size_t k = 0; k < n; ++k) {
            auto& res = results[batch_rows[start + k]];
            const std::string field = "csv[" + std::to_string(res.row) + "]";
            if (k >= outcomes.size()) {
                res.error = ApiError{503, "unavailable", "no outcome from the gateway", field, {}};
            } else if (outcomes[k]) {
                res.accepted = *outcomes[k];
                if (accepted_ids != nullptr) accepted_ids->push_back(res.accepted->id);
                deps.metrics.message_accepted(router::to_string(base.priority));
            } else {
                const auto& e = outcomes[k].error();
                res.error =
                    ApiError{gateway_status(e.code), std::string(router::to_string(e.code)),
                             e.reason.empty() ? std::string(router::to_string(e.code)) : e.reason,
                             field, e.retry_after};
            }
        }
    }

    json rows = json::array();
    std::size_t accepted = 0;
    std::size_t out_of_credit = 0;
    std::int64_t cost = 0;
    for (const auto& res : results) {
        json j = {{"row", res.row}, {"to", res.to}};
        if (res.accepted) {
            ++accepted;
            j["to"] = res.accepted->destination;
            j["id"] = res.accepted->id.to_string();
            j["segments"] = res.accepted->segments;
            j["encoding"] = router::to_string(res.accepted->encoding);
            j["state"] = "ACCEPTED";
            j["cost"] = res.accepted->cost;
            cost += res.accepted->cost;
        } else if (res.error) {
            if (res.error->status == 402) ++out_of_credit;
            deps.metrics.message_rejected(res.error->code);
            j["error"] = error_json(*res.error);
        }
        rows.push_back(std::move(j));
    }
    json body = {{"accepted", accepted},
                 {"rejected", results.size() - accepted},
                 {"cost", cost},
                 {"rows", std::move(rows)}};
    if (!base.client_ref.empty()) body["client_ref"] = base.client_ref;
    // Nothing accepted because the balance ran out: 402, so the client knows to top up.
    const unsigned status = accepted > 0 ? 202 : (out_of_credit > 0 ? 402 : 422);
    return ApiHandler::json_response(status, dump(body), v, ka);
}

}  // namespace bindery::http
