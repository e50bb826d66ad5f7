#include "server/metrics.h"

#include <prometheus/gauge.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace quantatom::server {
namespace {

std::string MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
    if (method == known) return std::string(known);
  return "OTHER";
}

std::string StatusClass(int status) {
  if (status < 100 || status > 599) return "other";
  return std::to_string(status / 100) + "xx";
}

}  // namespace

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return buckets;
}

ServerMetrics::ServerMetrics()
    : requests_(prometheus::BuildCounter()
                    .Name("quantatom_http_requests_total")
                    .Help("HTTP requests answered, by route pattern, method and status class")
                    .Register(registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("quantatom_http_request_duration_seconds")
                    .Help("Time from a request's dispatch to its answer, by route pattern, "
                          "method and status class")
                    .Register(registry_)) {}

void ServerMetrics::ObserveRequest(std::string_view method, std::string_view route, int status,
                                   double seconds) {
  const prometheus::Labels labels = {{"route", route.empty() ? "unmatched" : std::string(route)},
                                     {"method", MethodLabel(method)},
                                     {"status_class", StatusClass(status)}};
  requests_.Add(labels).Increment();
  duration_.Add(labels, LatencyBuckets()).Observe(seconds);
}

void ServerMetrics::ObserveRefused(std::string_view method, int status) {
  requests_
      .Add({{"route", "refused"},
            {"method", MethodLabel(method)},
            {"status_class", StatusClass(status)}})
      .Increment();
}

std::string ServerMetrics::Render(const Database& db, const Gauges& g) const {
  // Gauges live in a registry of their own made for this scrape: a cube
  // created since the last one simply appears.
  prometheus::Registry now;
  auto gauge = [&now](const std::string& name, const std::string& help) -> auto& {
    return prometheus::BuildGauge().Name(name).Help(help).Register(now);
  };
  const DatabaseHealth h = db.Health();
  gauge("quantatom_last_sequence", "Sequence of the last committed transaction")
      .Add({})
      .Set(static_cast<double>(h.last_sequence));
  gauge("quantatom_log_transactions_since_snapshot",
        "Transactions after the newest snapshot: what recovery replays from the log")
      .Add({})
      .Set(static_cast<double>(h.last_sequence - h.snapshot_sequence));
  gauge("quantatom_log_bytes_since_snapshot",
        "Log bytes this process appended after the newest snapshot")
      .Add({})
      .Set(static_cast<double>(h.log_bytes_since_snapshot));
  if (h.snapshot_sequence != 0)
    gauge("quantatom_snapshot_age_seconds",
          "Seconds since the newest snapshot was written (or found, when the server opened "
          "the directory)")
        .Add({})
        .Set(static_cast<double>(g.now_us - h.snapshot_time_us) / 1e6);
  gauge("quantatom_writes_refused",
        "1 when the log refuses writes (a failed fsync) until the server restarts")
      .Add({})
      .Set(h.writes_refused ? 1 : 0);
  gauge("quantatom_http_connections_open", "Open HTTP connections")
      .Add({})
      .Set(static_cast<double>(g.connections_open));
  auto& atoms = gauge("quantatom_cube_atoms", "Stored leaf cells (atoms) per cube");
  for (const std::string& name : db.CubeNames())
    if (auto cube = db.FindCube(name))
      atoms.Add({{"cube", name}}).Set(static_cast<double>(cube->Stats().atoms));

  std::vector<prometheus::MetricFamily> families = registry_.Collect();
  for (auto& f : now.Collect()) families.push_back(std::move(f));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace quantatom::server
