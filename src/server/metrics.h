// The server's Prometheus metrics (prometheus-cpp, text format 0.0.4):
// request counts and latencies by route, method and status class, counted
// as requests are answered; and gauges of the database and the listener,
// read when /metrics is scraped. docs/api.md lists them.
//
// Thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>

#include "quantatom/database.h"

namespace quantatom::server {

class ServerMetrics {
 public:
  ServerMetrics();

  // One answered request. `route` is the matched route's pattern, "" when
  // none matched: a label holds a pattern or "unmatched", never a raw path,
  // and a method outside the usual ones is "OTHER", so the number of series
  // is bounded by the route table.
  void ObserveRequest(std::string_view method, std::string_view route, int status, double seconds);
  // A request the HTTP layer refused before it was read whole and routed
  // (400, 413, 431, 503 TOO_MANY_CONNECTIONS): counted under the route
  // "refused", not timed (it never reached a worker).
  void ObserveRefused(std::string_view method, int status);

  struct Gauges {
    size_t connections_open = 0;
    int64_t now_us = 0;  // for the snapshot's age
  };
  // The exposition: the request metrics plus gauges of `db` read now.
  std::string Render(const Database& db, const Gauges& gauges) const;

 private:
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
};

// Latency bucket bounds in seconds: 0.1 ms to 10 s, about three per decade.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace quantatom::server
