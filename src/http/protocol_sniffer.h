#pragma once

#include "src/common/io.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "src/codec/codec.h"
#include "src/common/socket_deadline.h"
#include "src/http/connection_admission.h"
#include "src/http/drainable_connection.h"
#include "src/http/worker_state.h"

namespace tether::http {

// RFC 9113 §3.4: what an HTTP/2 client with prior knowledge sends first.
inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class PrefaceMatch : uint8_t { kHttp1, kHttp2, kNeedMore };
// The first bytes of a connection: the whole preface, a prefix of it so far, or anything else.
PrefaceMatch MatchHttp2Preface(std::string_view first_bytes);

// codec_type AUTO: tells HTTP/2 from HTTP/1 by the connection's first bytes, read with MSG_PEEK so
// that whichever serves the connection reads them itself. Holds no buffer while it waits (the
// peek is a few bytes on the coroutine's frame): a new connection idle before its first byte costs
// its socket and this object. A prefix of the preface waits for the rest (the socket's receive low
// watermark, so readiness is not reported per byte), bounded by request_headers_timeout; no byte
// within idle_timeout closes the connection. In WorkerState::connections meanwhile, for drain.
class ProtocolSniffer final : public DrainableConnection, public std::enable_shared_from_this<ProtocolSniffer> {
 public:
  // Takes the connection on once its protocol is known.
  using Serve = std::function<void(TcpSocket socket, codec::Protocol protocol,
                                   std::unique_ptr<ConnectionAdmission> admission)>;

  ProtocolSniffer(TcpSocket socket, std::string listener_name, uint64_t listener_id, WorkerState& worker,
                  std::unique_ptr<ConnectionAdmission> admission, Serve serve);
  ~ProtocolSniffer() override;
  ProtocolSniffer(const ProtocolSniffer&) = delete;
  ProtocolSniffer& operator=(const ProtocolSniffer&) = delete;

  Awaitable<void> Run();

  // No byte yet: close after the drain grace (a request on its way is still served); a partial
  // preface goes on to its timeout.
  void Drain() override;
  void Abort() override;
  uint64_t listener_id() const override { return listener_id_; }
  // A prefix of the preface arrived; waiting for the rest.
  bool started() const { return started_; }

 private:
  void Close();

  TcpSocket socket_;
  std::string listener_name_;
  uint64_t listener_id_;
  WorkerState& worker_;
  std::unique_ptr<ConnectionAdmission> admission_;
  Serve serve_;
  SocketDeadline deadline_;
  bool started_ = false;   // a prefix of the preface arrived
  bool draining_ = false;
};

}  // namespace tether::http
