#pragma once
// The operator's credit endpoints (admin key checked by AdminHandler before these run):
//
//   GET  /admin/v1/credits/{client}    balance, held credit and the ledger (?after=SEQ&limit=N)
//   POST /admin/v1/credits/{client}    {"amount": N, "note": "..."}: top up (negative: a
//                                      correction that may not take the balance below zero)
//
// Both go through router::GatewayApi (add_credit, credit_ledger, balance); `bindery credit
// show|add` is their command-line client.

#include <string_view>

#include "http-frontend/api_handler.hpp"
#include "router/api/gateway_api.hpp"

namespace bindery::http {

Response admin_credit_show(const Request& req, router::GatewayApi& gateway,
                           std::string_view client);
Response admin_credit_add(const Request& req, router::GatewayApi& gateway, std::string_view client);

// The JSON of a balance (GET /v1/balance and the admin endpoints).
std::string balance_json(const router::CreditBalance& b);

}  // namespace bindery::http
