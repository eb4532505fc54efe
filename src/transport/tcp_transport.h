#pragma once

#include "src/common/io.h"

#include <string>

#include "src/transport/reactor_socket.h"
#include "src/transport/transport.h"

namespace tether::transport {

// A plain TCP connection as a Transport. Small while idle: the socket, and the address strings
// only once somebody asks for them (an access log, a trace).
class TcpTransport final : public Transport {
 public:
  // `socket` is connected (accepted or connected by the caller).
  explicit TcpTransport(TcpSocket socket);
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  IoExecutor executor() const override { return const_cast<ReactorSocket&>(socket_).get_executor(); }
  Awaitable<boost::system::error_code> WaitReadable() override;
  void AsyncWaitReadable(WaitHandler handler) override;
  void AsyncWaitWritable(WaitHandler handler) override;
  void AsyncWaitReadableDrained(WaitHandler handler) override;
  void AsyncWaitWritableDrained(WaitHandler handler) override;
  Awaitable<IoResult> ReadSome(absl::Span<uint8_t> into) override;
  IoResult ReadAvailable(absl::Span<uint8_t> into) override;
  Awaitable<IoResult> Write(absl::Span<const uint8_t> bytes) override;
  IoResult WriteAvailable(absl::Span<const uint8_t> bytes) override;
  Awaitable<boost::system::error_code> WaitWritable() override;

  void Cancel() override;
  void ShutdownWrite() override;
  void Close() override;
  bool IsOpen() const override { return socket_.is_open(); }
  int BatchableDescriptor() const override {
    return const_cast<ReactorSocket&>(socket_).native_handle();
  }

  const std::string& peer_address() const override;
  const std::string& local_address() const override;

  TcpSocket& socket() { return socket_; }

 private:
  ReactorSocket socket_;
  mutable std::string peer_address_;   // filled on first use
  mutable std::string local_address_;  // filled on first use
};

}  // namespace tether::transport
