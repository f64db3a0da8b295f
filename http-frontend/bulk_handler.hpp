#pragma once
// POST /v1/messages/bulk: one template, a CSV of recipients and their fields, a per-row report.
//
// Body (application/json):
//   {"from": "ACME", "template": "Hello {{name}}, your code is {{code}}",
//    "csv": "phone,name,code\r\n+989121234567,Ali,4711\r\n...",
//    "priority"?, "validity"?, "scheduled_at"?, "client_ref"?, "callback_url"?, "encoding"?}
// The shared members mean what they mean for POST /v1/messages (same checks, same errors).
//
// The request as a whole is refused (nothing sent) when the JSON, a shared member, the CSV
// syntax, the header (no `phone` column) or the template is wrong, or when a placeholder names no
// column. Otherwise every row is checked on its own (phone number, field count, every used field
// present and non-blank, text length, duplicate numbers) and the valid rows are submitted; the
// answer reports each row: {"row": <CSV line>, "to": ..., "id": ..., "segments": ...} or
// {"row": ..., "to": ..., "error": {...}}. 202 when at least one row was accepted, 422 when none
// was (same body).

#include <cstddef>

#include "http-frontend/api_handler.hpp"
#include "http-frontend/bulk_csv.hpp"

namespace bindery::http {

// The bulk endpoint's work after authentication and idempotency; never throws on client input.
// `accepted_ids` (when given) collects the ids of the messages it created, for the access log.
Response send_bulk(const Request& req, const ClientInfo& client, const ApiConfig& config,
                   const BulkLimits& limits, const ApiDeps& deps,
                   std::vector<router::MessageId>* accepted_ids = nullptr);

}  // namespace bindery::http
