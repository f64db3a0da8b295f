#pragma once
// Metrics of the SMPP server side (ESMEs binding to Bindery), sampled at each scrape
// (docs/metrics.md):
//   bindery_smpp_server_connections_total            TCP connections accepted
//   bindery_smpp_server_binds_total{result}          accepted | rejected (password, bind_types,
//                                                    max_binds, unknown system_id, ...)
//   bindery_smpp_server_bind_rejections_total{reason}  rejected binds by smpp::BindRejectReason
//   bindery_smpp_server_sessions_bound{account,bind_type}  ESME sessions bound now (gauge)
//   bindery_smpp_server_submits_total{result}        submit PDUs: received | refused (answered
//                                                    with an error status)
//   bindery_smpp_server_messages_accepted_total      messages the router accepted from them
//   bindery_smpp_server_throttled_total              PDUs answered ESME_RTHROTTLED (max_tps)
//   bindery_smpp_server_queries_total                query_sm / cancel_sm / replace_sm

#include "app/smpp_frontend.hpp"
#include "http-frontend/metrics.hpp"

namespace bindery::app {

// Registers the families in `metrics`' registry and samples `frontend` (started, and outliving
// the scrapes) on each scrape.
void add_smpp_server_collector(http::Metrics& metrics, const SmppFrontend& frontend);

}  // namespace bindery::app
