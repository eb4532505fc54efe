#include "controlplane/server/metrics.h"

#include "src/common/prometheus_writer.h"

namespace tether::controlplane {

std::string Metrics::Render(int connected_proxies, const std::map<std::string, int>& resources_by_kind,
                            size_t shadowed_file_changes, size_t config_dir_errors) const {
  stats::PrometheusWriter w;
  w.SetHelp("tether_control_connected_proxies", "Sidecars with an open ADS stream.");
  w.AddGauge("tether_control_connected_proxies", {}, connected_proxies);
  w.SetHelp("tether_control_pushes_total", "xDS responses sent.");
  w.AddCounter("tether_control_pushes_total", {}, pushes());
  w.SetHelp("tether_control_nacks_total", "Responses sidecars refused.");
  w.AddCounter("tether_control_nacks_total", {}, nacks());
  w.SetHelp("tether_control_oversized_responses_total", "Responses not sent: over --max-message-bytes.");
  w.AddCounter("tether_control_oversized_responses_total", {}, oversized());
  w.SetHelp("tether_control_push_latency_seconds", "From a change of the served config to a sidecar's ACK of it.");
  w.AddHistogram("tether_control_push_latency_seconds", {}, push_latency(),
                 stats::PrometheusWriter::Unit::kSeconds);
  w.SetHelp("tether_control_resources", "Resources served, by kind.");
  for (const auto& [kind, n] : resources_by_kind) w.AddGauge("tether_control_resources", {{"kind", kind}}, n);
  w.SetHelp("tether_control_shadowed_file_changes",
            "Config-directory resources whose content differs from the applied override served instead "
            "(tetherctl revert serves the file).");
  w.AddGauge("tether_control_shadowed_file_changes", {}, static_cast<int64_t>(shadowed_file_changes));
  w.SetHelp("tether_control_config_dir_errors",
            "Config-directory files the last read refused (tetherctl status lists them).");
  w.AddGauge("tether_control_config_dir_errors", {}, static_cast<int64_t>(config_dir_errors));
  return w.Render();
}

}  // namespace tether::controlplane
