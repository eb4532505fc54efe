#pragma once

#include "src/common/io.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "src/codec/codec.h"
#include "src/config/snapshot.h"
#include "src/transport/codec_pump.h"
#include "src/transport/tcp_transport.h"
#include "src/upstream/cluster_resources.h"
#include "src/upstream/cluster_stats.h"
#include "src/upstream/conn_pool.h"

namespace tether::upstream {

// Makes a connection's client codec (HTTP/1.1 or HTTP/2; a fake one in tests).
using ClientCodecFactory =
    std::function<absl::StatusOr<std::unique_ptr<codec::ClientConnection>>(codec::ClientCallbacks&)>;

// One upstream connection of a pool: a TcpTransport, a client codec and the CodecPump between them,
// the pump running on its own. Shared: the pool holds it while it is open, each stream on it
// (PoolStream) holds it too, and the pump's end handler holds it until the pump ends. Tells its
// owner (the pool) when a stream ends, when the upstream says it takes no more streams, and when
// the connection is over. One worker only.
class CodecClient : public codec::ClientCallbacks, public std::enable_shared_from_this<CodecClient> {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    // A stream ended (both ways, or reset): the connection may now be idle or have room.
    virtual void OnStreamEnded(CodecClient& client) = 0;
    // The connection is over (its pump ended): forget it.
    virtual void OnClosed(CodecClient& client) = 0;
  };
  struct Context {
    IoExecutor executor;
    config::Host host;
    absl::Span<uint8_t> scratch;  // the worker's read buffer
    std::shared_ptr<HostStats> host_stats;
    std::shared_ptr<ClusterStats> cluster_stats;
    uint32_t max_requests_per_connection = 0;  // 0 = unlimited
    // The cluster's circuit breakers (max_requests is counted here); null: no limits.
    std::shared_ptr<ClusterResources> resources;
  };

  // `slot`: the connection's place under max_connections, given back when it closes.
  CodecClient(const Context& context, codec::Protocol protocol, Owner* owner, ConnectionSlot slot = {});
  ~CodecClient() override;
  CodecClient(const CodecClient&) = delete;
  CodecClient& operator=(const CodecClient&) = delete;

  // Connects within `timeout`, makes the codec and starts the pump. Errors as ConnPool::NewStream's
  // (Unavailable, DeadlineExceeded); a codec the factory cannot make is Internal.
  Awaitable<absl::Status> Connect(std::chrono::milliseconds timeout, const ClientCodecFactory& factory);
  // Completes once Connect() has (for streams that wait for a connection being made).
  Awaitable<void> WaitConnected();
  bool connecting() const { return state_ == State::kConnecting; }
  const absl::Status& connect_status() const { return connect_status_; }

  // A stream on this connection; `reused`: the connection served streams before. ResourceExhausted:
  // the cluster's max_requests (counted in upstream_rq_pending_overflow).
  absl::StatusOr<std::unique_ptr<UpstreamStream>> NewStream(const codec::HeaderMap& headers, bool end_stream,
                                                           codec::StreamDecoder& decoder);
  // Open, taking new streams and with room for one more.
  bool HasRoom() const;
  // How many streams it may carry at once (1 for HTTP/1; the peer's SETTINGS for HTTP/2, or the
  // protocol's usual 100 until they arrive).
  uint32_t capacity() const;
  // No new streams from now on; closes once the open ones ended.
  void StopNewStreams();
  // Ends the connection now (its open streams are reset); `by_peer`: the upstream had closed it.
  void Close(bool by_peer = false);
  // Streams waiting for this connection while it is made (the pool's list; null: cannot be
  // withdrawn). A withdrawn one no longer counts, so the next stream takes its place here.
  std::vector<const StreamCancel*>& waiters() { return waiters_; }
  uint32_t live_waiters() const;
  // The owner goes away: the connection closes by itself once idle.
  void Detach();
  // An idle HTTP/1 connection the upstream closed (or wrote to unasked) as far as the kernel knows
  // now: one non-blocking peek (rather than a read armed on every idle connection).
  bool ClosedByPeer();

  codec::Protocol protocol() const { return protocol_; }
  std::size_t active_streams() const { return active_streams_; }
  uint64_t streams_served() const { return streams_served_; }
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
  bool open() const { return state_ == State::kOpen; }
  // Open and carrying no stream.
  bool idle() const { return open() && active_streams_ == 0; }
  const std::string& host_address() const { return host_key_; }

  // ClientCallbacks.
  void OnGoAway(codec::StreamId last_stream, uint32_t error_code) override;

 private:
  friend class PoolStream;
  enum class State : uint8_t { kConnecting, kOpen, kClosed };

  void OnPumpEnd(transport::CodecPump::End end);
  // From PoolStream.
  codec::ClientConnection& codec() { return *codec_; }
  void Wake() { pump_->OutputReady(); }
  // `reset`: why, when the stream did not finish both ways (counted in the cluster's stats).
  void StreamEnded(std::optional<codec::StreamResetReason> reset);
  void CancelStream(codec::StreamId id);

  Context context_;
  ConnectionSlot slot_;
  const codec::Protocol protocol_;
  Owner* owner_;
  std::string host_key_;
  std::unique_ptr<transport::TcpTransport> transport_;
  std::unique_ptr<codec::ClientConnection> codec_;
  std::unique_ptr<transport::CodecPump> pump_;
  SteadyTimer connected_;  // parked waiters of WaitConnected(); cancelled when connected
  absl::Status connect_status_;
  State state_ = State::kConnecting;
  bool no_new_streams_ = false;
  bool closing_locally_ = false;
  bool closed_by_peer_ = false;
  std::vector<const StreamCancel*> waiters_;
  std::size_t active_streams_ = 0;
  uint64_t streams_served_ = 0;
  std::chrono::steady_clock::time_point idle_since_;
};

}  // namespace tether::upstream
