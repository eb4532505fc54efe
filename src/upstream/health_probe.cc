#include "src/upstream/health_probe.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "src/upstream/awaited_response.h"
#include "src/upstream/tcp_connect.h"

namespace tether::upstream {
namespace {

using Clock = std::chrono::steady_clock;

struct Attempt {
  ProbeResult result = ProbeResult::kNetworkFailure;
  bool retriable = false;  // a kept-alive connection closed before any answer
};

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
}

Awaitable<Attempt> Exchange(ConnPool& pool, const codec::HeaderMap& headers, const config::HealthCheck& check,
                            Clock::time_point deadline) {
  AwaitedResponse response(co_await boost::asio::this_coro::executor);
  // Declared after the response: destroyed first (an unfinished stream is reset then).
  auto stream = co_await pool.NewStream(headers, /*end_stream=*/true, response, Remaining(deadline), nullptr);
  if (!stream.ok()) {
    spdlog::debug("health check {}: {}", pool.host_address(), stream.status().ToString());
    co_return Attempt{};
  }
  response.Attach(**stream);
  const bool reused = (*stream)->reused_connection();
  co_await response.Wait(deadline);
  if (!response.ended()) {
    // A status may have come without the whole body: Envoy judges a probe by its complete answer.
    (*stream)->Reset();  // HTTP/1: the connection closes with it
    spdlog::debug("health check {}: no answer within {}ms", pool.host_address(), check.timeout.count());
    co_return Attempt{};
  }
  if (response.reset().has_value()) {
    const bool retriable = !response.status().has_value() && reused &&
                           *response.reset() == codec::StreamResetReason::kConnectionTermination;
    co_return Attempt{ProbeResult::kNetworkFailure, retriable};
  }
  const int status = response.status().value_or(0);
  if (ExpectedStatus(check, status)) co_return Attempt{ProbeResult::kPassed};
  spdlog::debug("health check {}: HTTP {} is not an expected status", pool.host_address(), status);
  co_return Attempt{ProbeResult::kFailed};
}

}  // namespace

bool ExpectedStatus(const config::HealthCheck& check, int status) {
  return std::any_of(check.expected_statuses.begin(), check.expected_statuses.end(),
                     [&](const config::HealthCheck::StatusRange& r) { return status >= r.start && status < r.end; });
}

codec::HeaderMap ProbeHeaders(const config::HealthCheck& check, const std::string& cluster) {
  codec::HeaderMap h;
  h.Set(codec::PseudoHeader::kMethod, "GET");
  h.Set(codec::PseudoHeader::kScheme, "http");
  h.Set(codec::PseudoHeader::kAuthority, check.host.empty() ? cluster : check.host);
  h.Set(codec::PseudoHeader::kPath, check.path);
  h.Add("user-agent", "Envoy/HC");
  for (const config::HeaderAdd& add : check.request_headers_to_add) {
    switch (add.action) {
      case config::v1::HeaderValueOption::ADD_IF_ABSENT:
        if (!h.Has(add.key)) h.Add(add.key, add.value);
        break;
      case config::v1::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD:
        h.Set(add.key, add.value);
        break;
      default:
        h.Add(add.key, add.value);
        break;
    }
  }
  return h;
}

Awaitable<ProbeResult> HttpProbe(ConnPool& pool, const config::HealthCheck& check, const std::string& cluster) {
  const Clock::time_point deadline = Clock::now() + check.timeout;
  const codec::HeaderMap headers = ProbeHeaders(check, cluster);
  Attempt attempt = co_await Exchange(pool, headers, check, deadline);
  if (attempt.retriable && Clock::now() < deadline) {
    // What closed this connection (the upstream's idle timeout, a restart) likely closed the others.
    pool.CloseIdleConnections();
    attempt = co_await Exchange(pool, headers, check, deadline);
  }
  co_return attempt.result;
}

Awaitable<ProbeResult> TcpProbe(IoExecutor executor, const config::Host& host, std::chrono::milliseconds timeout) {
  auto socket = co_await ConnectTcp(std::move(executor), host, timeout);
  if (!socket.ok()) {
    spdlog::debug("health check {}: {}", host.Key(), socket.status().ToString());
    co_return ProbeResult::kNetworkFailure;
  }
  boost::system::error_code ignored;
  socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  co_return ProbeResult::kPassed;
}

}  // namespace tether::upstream
