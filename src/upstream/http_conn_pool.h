#pragma once

#include "src/common/io.h"

#include <chrono>
#include <memory>
#include <vector>

#include "src/codec/http1_options.h"
#include "src/codec/http2_options.h"
#include "src/upstream/codec_client.h"
#include "src/upstream/conn_pool.h"

namespace tether::upstream {

// The one ConnPool for both protocols: HTTP/1.1 is the case of one stream per connection
// (PeerMaxConcurrentStreams 1). A stream goes on an open connection with room (HTTP/1: the most
// recently idle one, checked with a peek first; HTTP/2: the first with room), else joins a
// connection being made that will have room, else a new connection is made; a request withdrawn
// while it waits (StreamCancel) leaves that connection to the next stream. Connections that got
// GOAWAY, reached max_requests_per_connection or were drained take no new streams and close once
// their streams ended; idle ones close after idle_timeout, or when more than max_idle_connections
// are idle (the oldest first). Owned through a shared_ptr by the
// ClusterManager (and by callers while they ask it for a stream); single-threaded.
//
// Circuit breakers (SetResources; cluster_resources.h): a request that waits for a connection is
// pending (max_pending_requests); a connection is made only under max_connections, else the
// request waits until a connection of this pool has room or a slot is freed anywhere, and pools
// of other workers are asked to close their idle connections for it; a stream counts against
// max_requests. Over a limit NewStream answers ResourceExhausted.
class HttpConnPool final : public ConnPool,
                           public CodecClient::Owner,
                           public ConnectionSlotUser,
                           public std::enable_shared_from_this<HttpConnPool> {
 public:
  struct Settings {
    codec::Protocol protocol = codec::Protocol::kHttp1;
    codec::Http1Options http1;
    codec::Http2Options http2;
    std::chrono::milliseconds idle_timeout{60000};
    uint32_t max_requests_per_connection = 0;  // 0 = unlimited
    // Connections without a stream kept open at once (the cluster's max_idle_connections_per_host);
    // beyond it the one idle the longest is closed.
    uint32_t max_idle_connections = 1024;
    // An idle HTTP/1 connection is peeked at (one recv) before it is lent only once it has sat idle
    // this long: under load connections come back within microseconds, far inside any upstream's
    // keep-alive timeout, and the peek was a syscall per request. A close that still slips through
    // is retried on a new connection (UpstreamRequest::MayRetry); a request that could not be
    // retried (not idempotent) is lent a connection only after a peek.
    std::chrono::milliseconds peek_after_idle{100};
  };

  // `factory` makes each connection's client codec; empty: the protocol's own (Http1ClientConnection,
  // Http2ClientConnection with settings.http2).
  HttpConnPool(IoExecutor executor, config::Host host, Settings settings, std::shared_ptr<HostStats> host_stats,
               std::shared_ptr<ClusterStats> cluster_stats, absl::Span<uint8_t> scratch,
               ClientCodecFactory factory = {});
  ~HttpConnPool() override;
  HttpConnPool(const HttpConnPool&) = delete;
  HttpConnPool& operator=(const HttpConnPool&) = delete;

  Awaitable<absl::StatusOr<std::unique_ptr<UpstreamStream>>> NewStream(
      const codec::HeaderMap& headers, bool end_stream, codec::StreamDecoder& decoder,
      std::chrono::milliseconds connect_timeout, const StreamCancel* cancel) override;
  std::unique_ptr<UpstreamStream> TryNewStream(const codec::HeaderMap& headers, bool end_stream,
                                               codec::StreamDecoder& decoder) override;
  codec::Protocol protocol() const override { return settings_.protocol; }
  void Drain() override;
  void CloseIdleConnections() override;
  std::string host_address() const override { return context_.host.Key(); }
  std::size_t active_streams() const override;
  std::size_t connection_count() const override { return clients_.size(); }

  // New connections use these (a config update); open ones keep theirs.
  void SetSettings(const Settings& settings);
  // The cluster's circuit breakers, before the first stream (null: none).
  void SetResources(std::shared_ptr<ClusterResources> resources);
  // The host's health record (outlier detection reports each stream's result to it); kept here so
  // a request holding the pool holds it too.
  void SetHealth(std::shared_ptr<HostHealth> health) { health_ = std::move(health); }
  HostHealth* health() const { return health_.get(); }
  const config::Host& host() const { return context_.host; }

  // CodecClient::Owner.
  void OnStreamEnded(CodecClient& client) override;
  void OnClosed(CodecClient& client) override;

  // ConnectionSlotUser.
  void OnConnectionSlotFreed() override;
  void OnIdleConnectionWanted() override;

 private:
  // Counts a request that waits for a connection (max_pending_requests) while it lives.
  class Pending;
  // Waits until a connection of this pool has room, a slot was freed, or `cancel` fires.
  Awaitable<void> WaitForRoom(const StreamCancel* cancel);
  void WakeWaiters();
  // A connection slot for a new connection, or empty at max_connections (then counted).
  ConnectionSlot TakeConnectionSlot();
  // Closes one idle connection if no request here waits (another worker's needs the slot).
  void GiveUpIdleConnection();
  // An open connection with room now, or null; drops idle ones found closed or idle too long.
  // HTTP/1: taken off the idle list.
  CodecClient* PickOpen(const codec::HeaderMap& headers);
  // `peek`: check for a close before lending, however briefly the connection was idle.
  CodecClient* PickIdleHttp1(bool peek);
  // A stream on a connection PickOpen gave (an HTTP/1 one goes back on the idle list if none opened).
  absl::StatusOr<std::unique_ptr<UpstreamStream>> Lend(CodecClient& open, const codec::HeaderMap& headers,
                                                       bool end_stream, codec::StreamDecoder& decoder);
  // An idle connection past idle_timeout: counted, closed, true.
  bool ClosedIdleTooLong(CodecClient& c, std::chrono::steady_clock::time_point now);
  // A connection being made that will have room for one more stream, or null.
  std::shared_ptr<CodecClient> PickConnecting();
  void ArmIdleTimer();
  void CloseIdle();
  // A connection just became idle: past max_idle_connections, close the one idle the longest.
  void OnIdle(CodecClient& client);
  ClientCodecFactory DefaultFactory() const;

  CodecClient::Context context_;
  Settings settings_;
  ClientCodecFactory factory_;
  bool custom_factory_;
  // Open and connecting connections, oldest first.
  std::vector<std::shared_ptr<CodecClient>> clients_;
  // HTTP/1: the idle connections in the order they went idle (lent from the back). May hold ones
  // closed or retired since (skipped); OnClosed removes them before they go.
  std::vector<CodecClient*> idle_;
  SteadyTimer idle_timer_;
  bool idle_timer_armed_ = false;
  bool draining_ = false;
  std::shared_ptr<ClusterResources> resources_;
  std::shared_ptr<HostHealth> health_;
  bool registered_ = false;           // in resources_' pool list
  std::vector<SteadyTimer*> waiting_;  // requests parked in WaitForRoom
};

}  // namespace tether::upstream
