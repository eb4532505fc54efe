#pragma once

#include "src/common/io.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/codec/codec.h"
#include "src/http/connection_admission.h"
#include "src/http/drainable_connection.h"
#include "src/http/response_flags.h"
#include "src/http/stream_context.h"
#include "src/http/worker_state.h"
#include "src/transport/codec_pump.h"
#include "src/transport/transport.h"

namespace tether::http {

// One downstream connection (Envoy's ConnectionManagerImpl), HTTP/1.1 or HTTP/2: owns its
// Transport, its server codec and the CodecPump between them; makes a stream object (the
// ActiveRequest) for each request the codec raises and keeps it by id until it says it is done;
// ends the connection on idle timeout, max_requests_per_connection, drain (HTTP/2 GOAWAY, HTTP/1
// Connection: close; open streams finish) and codec errors (a flood's GOAWAY). HTTP/1's time
// before a request's head is complete (request_headers_timeout, and the stream timeouts, which
// begin with the first byte) and its refused heads are answered here
// (connection_manager_http1.cc). Lives on one worker; owned by its pump's end handler.
class ConnectionManager final : public StreamContext,
                                public codec::ServerCallbacks,
                                public DrainableConnection,
                                public std::enable_shared_from_this<ConnectionManager> {
 public:
  // Makes the object serving one stream: a codec::StreamDecoder that uses `context` and calls
  // context.OnStreamDone(stream) once over. The connection destroys it after that call (never
  // inside it), or at the connection's end after the codec reset it.
  using StreamFactory =
      std::function<std::unique_ptr<codec::StreamDecoder>(StreamContext& context, codec::StreamId stream)>;

  struct Params {
    std::unique_ptr<transport::Transport> transport;
    std::string listener_name;
    uint64_t listener_id = 0;
    std::unique_ptr<ConnectionAdmission> admission;  // taken at accept
    StreamFactory streams;
  };

  // With the listener's options for `protocol`; fails when the listener is gone or its options
  // are out of range (naming the field).
  static absl::StatusOr<std::shared_ptr<ConnectionManager>> Create(codec::Protocol protocol, Params params,
                                                                   WorkerState& worker);
  // Only through Create (the key is private); public for make_shared.
  class Key {
    friend class ConnectionManager;
    Key() = default;
  };
  ConnectionManager(Key, codec::Protocol protocol, Params params, WorkerState& worker,
                    std::shared_ptr<const ListenerRuntime> runtime);
  ~ConnectionManager() override;
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  // Starts the connection's life; it owns itself until the pump ends.
  void Start();

  // DrainableConnection.
  void Drain() override;
  void Abort() override;
  uint64_t listener_id() const override { return listener_id_; }

  // StreamContext.
  IoExecutor executor() override { return transport_->executor(); }
  TimerHeap& timers() override;
  codec::ServerConnection& codec() override { return *codec_; }
  void OutputReady() override;
  WorkerState& worker() override { return worker_; }
  std::shared_ptr<const ActiveConfig> active() override { return worker_.active; }
  const ListenerRuntime* listener() override;
  std::string_view peer_address() override { return transport_->peer_address(); }
  std::string_view local_address() override { return transport_->local_address(); }
  bool draining() override { return draining_ || worker_.draining; }
  RequestBegin request_begin() override;
  void OnStreamDone(codec::StreamId stream) override;

  // codec::ServerCallbacks.
  codec::StreamDecoder& OnNewStream(codec::StreamId stream) override;
  bool DeferHeaders(codec::StreamId id, DeferredHeaders& stream) override;
  void OnRequestBegin() override;
  void OnRequestError(const codec::RequestError& error, codec::HeaderMap& response_headers) override;

  size_t open_streams() const { return streams_.size(); }

 private:
  void OnPumpEnd(transport::CodecPump::End end);
  // The idle and head timers move lazily: a pending wait that fires no later than the new deadline
  // stays, and its handler waits again for what is left. Moving an Asio timer that is the earliest
  // resets the reactor's timerfd, a syscall per request on a keep-alive connection.
  void ArmIdleTimer();
  void DisarmIdleTimer() { idle_armed_ = false; }
  void WaitIdleTimer();
  void OnIdleTimeout();
  // GOAWAY now; the connection ends once open streams finish (the codec is Finished), or after
  // `grace` when nothing is open and the peer does not close.
  void GoAway(std::chrono::milliseconds grace);
  // An HTTP/1 request began during that grace: it gets its answer (Connection: close) instead.
  void CancelClosingGrace();
  // The name the connection's listener had when it was accepted (the key to the current one).
  const std::string& listener_name() const { return runtime_->config->name; }
  // Destroys the streams that said they are done, outside their own callbacks.
  void ScheduleSweep();
  // Starts the requests DeferHeaders held, in the order they came.
  void RunDeferred();
  // max_requests_per_connection: the stream that reaches it is served, then the connection ends.
  void CountRequest();

  // connection_manager_http1.cc: an HTTP/1 request begun and its head not complete yet.
  void ArmHeadTimer();
  void OnHeadTimer();
  // Answers the pending request with 408 (Connection: close) and logs it.
  void RejectPendingRequest(std::string_view body, std::optional<ResponseFlag> flag);
  // Stats and access log of a request that never became a stream.
  void EndRefusedRequest(unsigned status, std::optional<ResponseFlag> flag);

  std::unique_ptr<transport::Transport> transport_;
  uint64_t listener_id_;
  WorkerState& worker_;
  std::unique_ptr<ConnectionAdmission> admission_;
  // The listener as the connection started: its stats, and the fallback when it was removed since.
  std::shared_ptr<const ListenerRuntime> runtime_;
  StreamFactory stream_factory_;
  // Streams before the codec: the codec (destroyed first) still points at their decoders.
  absl::flat_hash_map<codec::StreamId, std::unique_ptr<codec::StreamDecoder>> streams_;
  std::vector<std::unique_ptr<codec::StreamDecoder>> finished_;  // swept outside their callbacks
  // HTTP/2: requests whose start waits for the end of the read's frames (still open: in streams_).
  std::vector<std::pair<codec::StreamId, DeferredHeaders*>> deferred_;
  codec::Protocol protocol_;
  std::unique_ptr<codec::ServerConnection> codec_;
  std::unique_ptr<transport::CodecPump> pump_;
  // Listener idle_timeout with no open stream; after GOAWAY with nothing open, the peer's grace
  // to close (the two never overlap: going away disarms the idle timeout). One timer, not two:
  // it is part of every idle connection's size.
  SteadyTimer idle_timer_;
  SteadyTimer head_timer_;  // HTTP/1: the pending request's request_headers_timeout, stream timeouts
  std::optional<RequestBegin> pending_begin_;  // HTTP/1: a request begun, its head not complete
  uint32_t requests_ = 0;  // streams begun on this connection
  std::chrono::steady_clock::time_point idle_deadline_;  // when idle_armed_
  bool idle_armed_ = false;
  bool idle_timer_waiting_ = false;
  bool closing_waiting_ = false;  // idle_timer_ times the grace after GOAWAY
  bool head_timer_waiting_ = false;
  bool sweep_posted_ = false;
  bool deferred_posted_ = false;
  bool draining_ = false;
  bool going_away_ = false;
  bool closed_ = false;  // Run() is over
};

}  // namespace tether::http
