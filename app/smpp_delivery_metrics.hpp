#pragma once
// Metrics of the SMPP server side's durable deliveries (docs/metrics.md):
//   bindery_smpp_deliveries_pending{account,kind}     gauge, sampled at each scrape
//   bindery_smpp_deliveries_total{kind,outcome}       delivered | retried | given_up
//   bindery_smpp_mo_routed_total{carrier,account}
//   bindery_smpp_mo_unrouted_total{carrier}           MO matching no mo_route (answered and
//   dropped)

#include <string>
#include <vector>

#include "app/smpp_deliveries.hpp"
#include "http-frontend/metrics.hpp"

namespace bindery::app {

// The observer to hand to SmppDeliveries (families registered in `metrics`' registry).
[[nodiscard]] SmppDeliveryObserver smpp_delivery_observer(http::Metrics& metrics);
// The pending gauge, sampled from `deliveries` (which must outlive the scrapes); `accounts` are
// shown at 0 before anything waits for them.
void add_smpp_delivery_collector(http::Metrics& metrics, const SmppDeliveries& deliveries,
                                 const std::vector<std::string>& accounts);

}  // namespace bindery::app
